#pragma once
// What the engine needs from a text decoder, whatever its architecture; one registry line per architecture
// in text_model.cpp.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "cache/kv_cache.h"
#include "core/result.h"
#include "engine/batch.h"
#include "gguf/gguf_file.h"

namespace hearth::models {

class TextModel {
 public:
  virtual ~TextModel() = default;

  virtual int64_t n_vocab() const = 0;
  virtual int64_t n_embd() const = 0;
  virtual int64_t n_ctx_train() const = 0;
  // The GGUF file the weights are mapped from (tokenizer, chat template and other metadata live there too).
  virtual const gguf::GgufFile& file() const = 0;

  // Weight bytes one decoded token reads (every matrix once, the routed share of the experts; embedding
  // lookups and norms are negligible): the memory traffic that bounds decode speed.
  virtual uint64_t decode_bytes_per_token() const = 0;

  // The cache slots this model writes; pass them to cache::KvCache or cache::kv_cache_bytes.
  virtual std::vector<cache::KvSlotSpec> kv_slots() const = 0;

  // Runs the batch in micro-batches of options.n_ubatch, storing K/V in `cache`, and returns the logits
  // [n_wanted, n_vocab] of the entries with want_logits, in batch order.
  virtual Result<std::vector<float>> forward(std::span<const engine::BatchEntry> batch, cache::KvCache& cache,
                                             const engine::ForwardOptions& options) = 0;
};

// Opens a GGUF text model of any supported architecture; an error names the file and what is wrong.
Result<std::unique_ptr<TextModel>> load_text_model(const std::filesystem::path& path);

}  // namespace hearth::models
