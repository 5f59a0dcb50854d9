#pragma once
// Continuous batching over one loaded model (spec/batching-and-caches.md §8.1): a fixed number of sequence
// slots share one KV cache; every step runs a single forward pass over the next token of every generating
// slot plus prompt chunks of slots still reading their prompt, then samples each slot that produced logits.
// Requests wait in a bounded FIFO queue for a free slot; a slot whose cached tokens share a prefix with the
// new prompt is preferred and that prefix is not recomputed.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "cache/kv_cache.h"
#include "core/result.h"
#include "engine/generation.h"
#include "engine/loaded_model.h"

namespace hearth::engine {

struct SchedulerOptions {
  int64_t n_parallel = 4;      // sequence slots
  int64_t n_ctx = 4096;        // context per slot
  int64_t n_batch = 512;       // most tokens in one forward pass
  int64_t n_ubatch = 512;      // most tokens per micro-batch inside the model
  size_t max_queue = 512;      // waiting requests beyond this are refused
  cpu::KvFormat kv_format = cpu::KvFormat::f16;
  cpu::LinearNumerics numerics = cpu::LinearNumerics::as_stored;
};

// Bytes of KV cache a scheduler with these options allocates for `model`.
uint64_t scheduler_cache_bytes(const models::TextModel& model, const SchedulerOptions& options);

using RequestId = uint64_t;

class Scheduler {
 public:
  Scheduler(std::shared_ptr<const LoadedModel> model, SchedulerOptions options);
  ~Scheduler();  // cancels everything still queued or running
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a request; fails when the queue is full or the request is malformed (empty prompt, token id or
  // embedding shape out of range, prompt longer than the context with ContextOverflow::error).
  Result<RequestId> submit(GenerationRequest request);
  // Stops a queued or running request; its on_done reports FinishReason::cancelled. Unknown ids are ignored.
  void cancel(RequestId id);

  struct Load {
    size_t queued = 0;
    size_t busy_slots = 0;
    size_t slots = 0;
  };
  Load load() const;

  const LoadedModel& model() const { return *model_; }
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Active;
  struct Slot;
  void run();
  void admit_waiting(std::unique_lock<std::mutex>& lock);
  void step();
  void finish(Slot& slot, FinishReason reason, std::string error = {});
  void sample_slot(Slot& slot, std::span<const float> logits);

  std::shared_ptr<const LoadedModel> model_;
  SchedulerOptions options_;
  cache::KvCache cache_;
  std::vector<Slot> slots_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Active>> waiting_;
  std::vector<RequestId> cancelled_;
  RequestId next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hearth::engine
