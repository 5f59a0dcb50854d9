#pragma once
// Perplexity of a model on a text, computed as llama.cpp's llama-perplexity does so the figures compare:
// the tokens (BOS first when the vocabulary adds one) are cut into chunks of n_ctx; each chunk starts with
// BOS and is evaluated from an empty cache; only the second half of each chunk is scored, so every scored
// token sees at least n_ctx/2 tokens of context.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/loaded_model.h"

namespace hearth::engine {

struct PerplexityOptions {
  int64_t n_ctx = 512;
  int64_t n_batch = 128;  // tokens per forward call (bounds the memory the logits take)
  cpu::LinearNumerics numerics = cpu::LinearNumerics::as_stored;
};

struct PerplexityResult {
  int64_t n_tokens = 0;  // the text's tokens
  int64_t n_chunks = 0;
  int64_t n_scored = 0;
  double perplexity = 0.0;
  double uncertainty = 0.0;          // standard error of the perplexity (llama.cpp's ±)
  std::vector<double> running;       // the estimate after each chunk
};

// `on_chunk(done, total, running_estimate)` reports progress. Fails when the text has fewer than n_ctx
// tokens (one whole chunk is the minimum).
Result<PerplexityResult> perplexity(const LoadedModel& model, std::string_view text, const PerplexityOptions& options,
                                    const std::function<void(int64_t, int64_t, double)>& on_chunk = {});

}  // namespace hearth::engine
