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

Result<ModelManager::Lease> ModelManager::acquire(const store::ResolvedModel& resolved) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& model : models_) {
      if (model->name == resolved.name && model->resolved.digest == resolved.digest) {
        ++model->users;
        model->last_used = Clock::now();
        return Lease{model, 0.0};
      }
    }
  }
  std::lock_guard load_lock(load_mutex_);
  {
    // Another request may have loaded it while this one waited for the load lock.
    std::lock_guard lock(mutex_);
    for (const auto& model : models_) {
      if (model->name == resolved.name && model->resolved.digest == resolved.digest) {
        ++model->users;
        model->last_used = Clock::now();
        return Lease{model, 0.0};
      }
    }
    if (!make_room()) return make_error("server busy: ", options_.max_loaded, " models are loaded and all are in use");
  }
  Result<std::shared_ptr<engine::LoadedModel>> loaded = engine::load_model(resolved.model_path, resolved.projector_path);
  if (!loaded) return make_error(loaded.error());
  auto running = std::make_shared<RunningModel>();
  running->name = resolved.name;
  running->resolved = resolved;
  running->info = model::describe_model((*loaded)->model->file());
  running->loaded = std::move(*loaded);
  const int64_t trained = running->loaded->model->n_ctx_train();
  running->n_ctx = trained > 0 ? std::min(options_.default_ctx, trained) : options_.default_ctx;
  engine::SchedulerOptions scheduler_options;
  scheduler_options.n_parallel = options_.n_parallel;
  scheduler_options.n_ctx = running->n_ctx;
  scheduler_options.max_queue = options_.max_queue;
  running->size_bytes = engine::estimate_memory(*running->loaded->model, scheduler_options).total();
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

bool ModelManager::make_room() {
  while (models_.size() >= options_.max_loaded) {
    auto idle = std::min_element(models_.begin(), models_.end(), [](const auto& a, const auto& b) {
      if ((a->users == 0) != (b->users == 0)) return a->users == 0;
      return a->last_used < b->last_used;
    });
    if (idle == models_.end() || (*idle)->users > 0) return false;
    models_.erase(idle);
  }
  return true;
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
