#pragma once
// The Gemma 4 text decoder (spec/gemma4.md §4): the forward pass over a batch of tokens of several
// sequences, reading like the spec's math. Not safe for concurrent forward calls.
#include <memory>

#include "cpu/resident_weights.h"
#include "gguf/gguf_file.h"
#include "models/embedding_table.h"
#include "models/gemma4/config.h"
#include "models/gemma4/micro_batch.h"
#include "models/gemma4/weights.h"
#include "models/text_model.h"

namespace hearth::models::gemma4 {

class Text final : public TextModel {
 public:
  Text(std::unique_ptr<gguf::GgufFile> file, Config config, Weights weights);

  const Config& config() const { return config_; }

  int64_t n_vocab() const override { return config_.n_vocab; }
  int64_t n_embd() const override { return config_.n_embd; }
  int64_t n_ctx_train() const override { return config_.n_ctx_train; }
  const gguf::GgufFile& file() const override { return *file_; }
  std::vector<cache::KvSlotSpec> kv_slots() const override;
  uint64_t decode_bytes_per_token() const override;
  Result<std::vector<float>> forward(std::span<const engine::BatchEntry> batch, cache::KvCache& cache,
                                     const engine::ForwardOptions& options) override;

 private:
  // Runs one micro-batch and appends the logits of its wanted entries to `logits`.
  Status forward_micro_batch(std::span<const engine::BatchEntry> entries, cache::KvCache& cache,
                             const engine::ForwardOptions& options, std::vector<float>& logits);
  Rows embed(std::span<const engine::BatchEntry> entries) const;
  Rows per_layer_inputs(const MicroBatch& mb, std::span<const engine::BatchEntry> entries, const Rows& h0) const;
  Rows decoder_layer(const MicroBatch& mb, int64_t il, const Rows& h, const Rows& per_layer, cache::KvCache& cache) const;
  Rows output_logits(const MicroBatch& mb, const Rows& h) const;

  std::unique_ptr<gguf::GgufFile> file_;  // the weights point into its mapping
  Config config_;
  Weights weights_;
  cpu::ResidentWeights resident_;  // the dense matrices of weights_ (which point into it)
  EmbeddingTable token_embd_;
  EmbeddingTable per_layer_token_embd_;
  std::vector<int64_t> layer_slot_;  // cache slot each layer reads (its own or its donor's)
  cpu::OpContext ctx_;
};

// Reads the config and binds the weights of an open GGUF file.
Result<std::unique_ptr<TextModel>> load_text(std::unique_ptr<gguf::GgufFile> file);

}  // namespace hearth::models::gemma4
