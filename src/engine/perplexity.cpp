#include "engine/perplexity.h"

#include <algorithm>
#include <cmath>

#include "cache/kv_cache.h"

namespace hearth::engine {
namespace {

// −log p(target) from one row of logits, in double so long texts do not lose precision.
double negative_log_likelihood(const float* logits, int64_t n_vocab, int32_t target) {
  const float max = *std::max_element(logits, logits + n_vocab);
  double sum = 0.0;
  for (int64_t i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - max);
  return std::log(sum) - (static_cast<double>(logits[target]) - max);
}

}  // namespace

Result<PerplexityResult> perplexity(const LoadedModel& model, std::string_view text, const PerplexityOptions& options,
                                    const std::function<void(int64_t, int64_t, double)>& on_chunk) {
  if (options.n_ctx < 4) return make_error("the perplexity context must be at least 4 tokens");
  const std::vector<int32_t> tokens = model.tokenizer.tokenize(text, true, false);
  const int64_t n_ctx = options.n_ctx;
  const int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (n_chunks == 0) {
    return make_error("the text has ", tokens.size(), " tokens; perplexity needs at least ", n_ctx, " (--ctx)");
  }
  const int64_t n_vocab = model.model->n_vocab();
  const int64_t first_scored = n_ctx / 2;
  const bool bos_first = model.tokenizer.add_bos();
  const int32_t bos = model.tokenizer.special().bos;

  cache::KvCacheOptions cache_options;
  cache_options.n_ctx = n_ctx;
  cache_options.n_ubatch = options.n_batch;
  cache::KvCache cache(model.model->kv_slots(), cache_options);
  PerplexityResult result;
  result.n_tokens = static_cast<int64_t>(tokens.size());
  result.n_chunks = n_chunks;
  double nll_sum = 0.0, nll_squares = 0.0;
  for (int64_t chunk = 0; chunk < n_chunks; ++chunk) {
    cache.remove_sequence(0);
    const int64_t start = chunk * n_ctx;
    for (int64_t begin = 0; begin < n_ctx; begin += options.n_batch) {
      const int64_t end = std::min(n_ctx, begin + options.n_batch);
      std::vector<BatchEntry> batch;
      for (int64_t i = begin; i < end; ++i) {
        const int32_t token = (i == 0 && bos_first) ? bos : tokens[start + i];
        // Position i predicts token i+1; the chunk's last token predicts nothing inside it.
        batch.push_back({0, token, nullptr, static_cast<int32_t>(i), i >= first_scored && i + 1 < n_ctx});
      }
      Result<std::vector<float>> logits = model.model->forward(batch, cache, {options.numerics, options.n_batch});
      if (!logits) return make_error(logits.error());
      int64_t row = 0;
      for (int64_t i = begin; i < end; ++i) {
        if (!batch[i - begin].want_logits) continue;
        const double nll = negative_log_likelihood(logits->data() + row++ * n_vocab, n_vocab, tokens[start + i + 1]);
        nll_sum += nll;
        nll_squares += nll * nll;
        ++result.n_scored;
      }
    }
    const double mean = nll_sum / static_cast<double>(result.n_scored);
    result.running.push_back(std::exp(mean));
    if (on_chunk) on_chunk(chunk + 1, n_chunks, std::exp(mean));
  }
  const auto n = static_cast<double>(result.n_scored);
  const double mean = nll_sum / n;
  const double variance = std::max(0.0, nll_squares / n - mean * mean);
  result.perplexity = std::exp(mean);
  // llama.cpp's error estimate: the standard error of the mean NLL carried through exp.
  result.uncertainty = n > 1 ? result.perplexity * std::sqrt(variance / (n - 1)) : 0.0;
  return result;
}

}  // namespace hearth::engine
