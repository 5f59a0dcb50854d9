#pragma once
// The models `hearth serve` holds in memory: loaded on first use from the store, each with its own scheduler,
// kept for keep_alive after its last request (negative = forever, 0 = unload right away), at most max_loaded
// at once with the least recently used idle model evicted first (spec/api.md §2.9, §5).
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
#include "store/model_store.h"

namespace hearth::server {

using Clock = std::chrono::system_clock;

struct ManagerOptions {
  int64_t n_parallel = 4;
  int64_t default_ctx = 4096;  // Ollama's default below 24 GiB of memory; capped to the model's training context
  size_t max_loaded = 3;
  std::chrono::seconds keep_alive{300};
  size_t max_queue = 512;
};

struct RunningModel {
  std::string name;
  store::ResolvedModel resolved;
  model::ModelInfo info;
  std::shared_ptr<engine::LoadedModel> loaded;
  std::unique_ptr<engine::Scheduler> scheduler;
  int64_t n_ctx = 0;
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
  // Loads the model if needed (errors are load failures) and marks it in use until release().
  Result<Lease> acquire(const store::ResolvedModel& resolved);
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
  // Requires mutex_: drops idle models until fewer than max_loaded remain; false if all are busy.
  bool make_room();

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
