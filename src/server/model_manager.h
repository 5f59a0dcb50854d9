#pragma once
// The models `hearth serve` holds in memory: loaded on first use from the store, each with its own scheduler,
// kept for keep_alive after its last request (negative = forever, 0 = unload right away), at most max_loaded
// at once and within a memory budget, the least recently used idle model evicted first (spec/api.md §2.9,
// §5). A request for another context length reloads an idle model with it, as Ollama does.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/loaded_model.h"
#include "engine/scheduler.h"
#include "model/model_info.h"
#include "models/gemma4/vision_preprocess.h"
#include "store/model_store.h"

namespace hearth::server {

using Clock = std::chrono::system_clock;

struct ManagerOptions {
  int64_t n_parallel = 4;
  int64_t default_ctx = 4096;  // Ollama's default below 24 GiB of memory; capped to the model's training context
  size_t max_loaded = 3;
  uint64_t memory_budget = 0;  // bytes all loaded models may take (weights + KV caches); 0: no limit
  std::chrono::seconds keep_alive{300};
  size_t max_queue = 512;
  models::gemma4::ImageTokenBudget image_tokens;  // when neither the request nor the model's parameters set it
  int32_t think_budget = -1;  // thinking tokens, when neither the request nor the model's parameters set it
};

struct RunningModel {
  std::string name;
  store::ResolvedModel resolved;
  model::ModelInfo info;
  std::shared_ptr<engine::LoadedModel> loaded;
  std::unique_ptr<engine::Scheduler> scheduler;
  int64_t n_ctx = 0;
  int64_t requested_ctx = 0;  // what it was loaded for, before capping to the training context
  uint64_t size_bytes = 0;  // weights + KV cache
  // Guarded by the manager's mutex.
  int users = 0;
  std::optional<Clock::time_point> expires_at;  // nullopt: forever
  Clock::time_point last_used;
};

// keep_alive as a request gives it: absent (use the default), a duration, or forever.
struct KeepAlive {
  std::optional<std::chrono::seconds> duration;  // nullopt with forever=false: the server default
  bool forever = false;
};

class ModelManager {
 public:
  ModelManager(store::ModelStore& store, ManagerOptions options);
  ~ModelManager();
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

  struct Lease {
    std::shared_ptr<RunningModel> model;
    double load_seconds = 0.0;  // 0 when it was already loaded
  };
  // Finds the model in the store: 404 when the name resolves to nothing.
  Result<store::ResolvedModel> resolve(const std::string& name) const;
  // Loads the model if needed (errors are load failures or no room) and marks it in use until release().
  // `num_ctx`: the context per sequence wanted (default: the server's); a loaded model with another one is
  // reloaded when idle, and used as it is while busy.
  Result<Lease> acquire(const store::ResolvedModel& resolved, std::optional<int64_t> num_ctx = std::nullopt);
  void release(const std::shared_ptr<RunningModel>& model, const KeepAlive& keep_alive);
  // Unloads a model now if no request uses it (keep_alive 0 on a load-only request).
  void unload(const std::string& name);

  std::vector<std::shared_ptr<RunningModel>> running() const;
  store::ModelStore& store() { return store_; }
  const ManagerOptions& options() const { return options_; }
  uint64_t load_count() const;
  double load_seconds_total() const;

 private:
  void reap_expired();
  // Requires mutex_: the loaded model to use for this request, if any; drops an idle one loaded for
  // another context length.
  std::shared_ptr<RunningModel> find_loaded(const store::ResolvedModel& resolved, int64_t requested_ctx);
  // Requires mutex_: drops idle models, least recently used first, until one more model of `size` fits
  // both limits; an error when the busy ones leave no room.
  Status make_room(uint64_t size);

  store::ModelStore& store_;
  ManagerOptions options_;
  mutable std::mutex mutex_;
  std::mutex load_mutex_;  // one load at a time
  std::condition_variable wake_;
  std::vector<std::shared_ptr<RunningModel>> models_;
  uint64_t loads_ = 0;
  double load_seconds_ = 0.0;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace hearth::server
