#pragma once
// What running a model will take before anything is allocated: the mapped weights, the KV cache for the
// chosen context and sequence count, and the forward pass's working buffers.
#include <cstdint>

#include "engine/scheduler.h"
#include "models/text_model.h"

namespace hearth::engine {

struct MemoryEstimate {
  uint64_t weights = 0;   // tensor bytes mapped from the file (resident once touched)
  uint64_t kv_cache = 0;  // exact: what KvCache allocates
  uint64_t working = 0;   // activations and logits of one full micro-batch (an upper estimate)
  uint64_t total() const { return weights + kv_cache + working; }
};

MemoryEstimate estimate_memory(const models::TextModel& model, const SchedulerOptions& options);

}  // namespace hearth::engine
