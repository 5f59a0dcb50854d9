#include "server/model_manager.h"

#include <algorithm>

#include "engine/memory_estimate.h"

namespace hearth::server {

ModelManager::ModelManager(store::ModelStore& store, ManagerOptions options)
    : store_(store), options_(options), reaper_([this] { reap_expired(); }) {}

ModelManager::~ModelManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  reaper_.join();
}

Result<store::ResolvedModel> ModelManager::resolve(const std::string& name) const { return store_.resolve(name); }

Result<ModelManager::Lease> ModelManager::acquire(const store::ResolvedModel& resolved, std::optional<int64_t> num_ctx) {
  const int64_t requested_ctx = num_ctx.value_or(options_.default_ctx);
  {
    std::lock_guard lock(mutex_);
    if (std::shared_ptr<RunningModel> model = find_loaded(resolved, requested_ctx)) return Lease{model, 0.0};
  }
  std::lock_guard load_lock(load_mutex_);
  {
    // Another request may have loaded it while this one waited for the load lock.
    std::lock_guard lock(mutex_);
    if (std::shared_ptr<RunningModel> model = find_loaded(resolved, requested_ctx)) return Lease{model, 0.0};
  }
  Result<std::shared_ptr<engine::LoadedModel>> loaded = engine::load_model(resolved.model_path, resolved.projector_path);
  if (!loaded) return make_error(loaded.error());
  auto running = std::make_shared<RunningModel>();
  running->name = resolved.name;
  running->resolved = resolved;
  running->info = model::describe_model((*loaded)->model->file());
  running->loaded = std::move(*loaded);
  const int64_t trained = running->loaded->model->n_ctx_train();
  running->requested_ctx = requested_ctx;
  running->n_ctx = trained > 0 ? std::min(requested_ctx, trained) : requested_ctx;
  engine::SchedulerOptions scheduler_options;
  scheduler_options.n_parallel = options_.n_parallel;
  scheduler_options.n_ctx = running->n_ctx;
  scheduler_options.max_queue = options_.max_queue;
  running->size_bytes = engine::estimate_memory(*running->loaded->model, scheduler_options).total();
  std::vector<std::shared_ptr<RunningModel>> evicted;
  {
    std::lock_guard lock(mutex_);
    const std::vector<std::shared_ptr<RunningModel>> kept = models_;
    if (Status room = make_room(running->size_bytes); !room) return Error{room.error()};
    for (const auto& model : kept) {
      if (std::find(models_.begin(), models_.end(), model) == models_.end()) evicted.push_back(model);
    }
  }
  evicted.clear();  // their schedulers stop and their memory is released before this one allocates its cache
  running->scheduler = std::make_unique<engine::Scheduler>(running->loaded, scheduler_options);
  running->users = 1;
  running->last_used = Clock::now();
  const double seconds = running->loaded->load_seconds;
  std::lock_guard lock(mutex_);
  models_.push_back(running);
  ++loads_;
  load_seconds_ += seconds;
  return Lease{running, seconds};
}

std::shared_ptr<RunningModel> ModelManager::find_loaded(const store::ResolvedModel& resolved, int64_t requested_ctx) {
  for (auto it = models_.begin(); it != models_.end(); ++it) {
    const std::shared_ptr<RunningModel>& model = *it;
    if (model->name != resolved.name || model->resolved.digest != resolved.digest) continue;
    if (model->requested_ctx != requested_ctx && model->users == 0) {
      models_.erase(it);  // reloaded with the new context length
      return nullptr;
    }
    ++model->users;
    model->last_used = Clock::now();
    return model;
  }
  return nullptr;
}

void ModelManager::release(const std::shared_ptr<RunningModel>& model, const KeepAlive& keep_alive) {
  std::lock_guard lock(mutex_);
  --model->users;
  model->last_used = Clock::now();
  if (keep_alive.forever) {
    model->expires_at.reset();
  } else {
    model->expires_at = Clock::now() + keep_alive.duration.value_or(options_.keep_alive);
  }
  wake_.notify_all();
}

void ModelManager::unload(const std::string& name) {
  std::shared_ptr<RunningModel> removed;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(models_.begin(), models_.end(), [&](const auto& m) { return m->name == name && m->users == 0; });
    if (it == models_.end()) return;
    removed = std::move(*it);
    models_.erase(it);
  }
}

std::vector<std::shared_ptr<RunningModel>> ModelManager::running() const {
  std::lock_guard lock(mutex_);
  return models_;
}

uint64_t ModelManager::load_count() const {
  std::lock_guard lock(mutex_);
  return loads_;
}

double ModelManager::load_seconds_total() const {
  std::lock_guard lock(mutex_);
  return load_seconds_;
}

Status ModelManager::make_room(uint64_t size) {
  if (options_.memory_budget > 0 && size > options_.memory_budget) {
    return make_error("model requires more memory (", size >> 20, " MiB) than the server's budget (", options_.memory_budget >> 20, " MiB)");
  }
  auto fits = [&] {
    uint64_t used = size;
    for (const auto& model : models_) used += model->size_bytes;
    return models_.size() < options_.max_loaded && (options_.memory_budget == 0 || used <= options_.memory_budget);
  };
  while (!fits()) {
    auto idle = std::min_element(models_.begin(), models_.end(), [](const auto& a, const auto& b) {
      if ((a->users == 0) != (b->users == 0)) return a->users == 0;
      return a->last_used < b->last_used;
    });
    if (idle == models_.end() || (*idle)->users > 0) {
      return make_error("server busy: the loaded models are all in use and leave no room for another");
    }
    models_.erase(idle);
  }
  return Status::success();
}

void ModelManager::reap_expired() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    const Clock::time_point now = Clock::now();
    std::vector<std::shared_ptr<RunningModel>> expired;
    std::erase_if(models_, [&](const std::shared_ptr<RunningModel>& m) {
      const bool done = m->users == 0 && m->expires_at && *m->expires_at <= now;
      if (done) expired.push_back(m);
      return done;
    });
    lock.unlock();
    expired.clear();  // schedulers join their threads outside the lock
    lock.lock();
  }
}

}  // namespace hearth::server
