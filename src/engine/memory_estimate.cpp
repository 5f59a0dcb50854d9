#include "engine/memory_estimate.h"

#include <algorithm>

namespace hearth::engine {

MemoryEstimate estimate_memory(const models::TextModel& model, const SchedulerOptions& options) {
  MemoryEstimate estimate;
  for (const gguf::TensorInfo& tensor : model.file().tensors()) estimate.weights += tensor.bytes;
  estimate.kv_cache = scheduler_cache_bytes(model, options);
  // A micro-batch keeps a handful of [n_ubatch, n_embd]-sized rows per layer step plus the widest
  // intermediate (the MLP's, at most 8·n_embd in the families hearth runs), and logits for each sequence.
  const auto rows = static_cast<uint64_t>(options.n_ubatch);
  const auto n_embd = static_cast<uint64_t>(model.n_embd());
  const uint64_t activations = rows * n_embd * (16 + 3 * 8) * sizeof(float);
  const uint64_t logits = static_cast<uint64_t>(std::max<int64_t>(options.n_parallel, 1)) * model.n_vocab() * sizeof(float);
  estimate.working = activations + logits;
  return estimate;
}

}  // namespace hearth::engine
