#include "engine/sampling_sampler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hearth::engine {

Result<Sampler> Sampler::create(const SamplingParams& params, size_t vocab_size) {
  if (vocab_size == 0) return make_error("cannot sample from an empty vocabulary");
  for (const LogitBias& entry : params.logit_bias) {
    if (entry.token < 0 || static_cast<size_t>(entry.token) >= vocab_size) {
      return make_error("logit_bias token ", entry.token, " is outside the vocabulary (size ", vocab_size, ")");
    }
  }
  return Sampler(params, vocab_size, resolve_seed(params.seed));
}

Sampler::Sampler(const SamplingParams& params, size_t vocab_size, uint32_t seed)
    : params_(params), vocab_size_(vocab_size), seed_(seed), random_(seed) {
  candidates_.items.reserve(vocab_size);
  if (penalties_enabled()) penalty_counts_.assign(vocab_size, 0);
  if (params.typical_p < 1.0f) {
    typical_scratch_.scores.reserve(vocab_size);
    typical_scratch_.order.reserve(vocab_size);
    typical_scratch_.kept.reserve(vocab_size);
  }
}

bool Sampler::penalties_enabled() const {
  const bool neutral = params_.repeat_penalty == 1.0f && params_.frequency_penalty == 0.0f &&
                       params_.presence_penalty == 0.0f;
  return params_.repeat_last_n != 0 && !neutral;
}

std::span<const int32_t> Sampler::penalty_window(std::span<const int32_t> history) const {
  if (params_.repeat_last_n < 0) return history;
  return history.last(std::min(history.size(), static_cast<size_t>(params_.repeat_last_n)));
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
  if (logits.size() != vocab_size_) {
    throw std::invalid_argument("Sampler::sample: got " + std::to_string(logits.size()) +
                                " logits for a vocabulary of " + std::to_string(vocab_size_));
  }
  candidates_.load(logits);
  apply_logit_bias(candidates_, params_.logit_bias);
  if (penalties_enabled()) {
    const PenaltySettings settings{params_.repeat_penalty, params_.frequency_penalty, params_.presence_penalty};
    apply_penalties(candidates_, settings, penalty_window(history), penalty_counts_);
  }

  const bool greedy = params_.temperature <= 0.0f;
  const size_t min_keep = static_cast<size_t>(params_.min_keep);
  // top_k, top_p and min_p always keep the highest logit, so they cannot change a greedy pick; typical_p can
  // drop it, so only then does greedy sampling run the filters.
  if (greedy && params_.typical_p >= 1.0f) {
    return candidates_.items[index_of_max_logit(candidates_)].token;
  }
  apply_top_k(candidates_, params_.top_k);
  apply_typical(candidates_, params_.typical_p, min_keep, typical_scratch_);
  apply_top_p(candidates_, params_.top_p, min_keep);
  apply_min_p(candidates_, params_.min_p, min_keep);
  if (greedy) return candidates_.items[index_of_max_logit(candidates_)].token;
  apply_temperature(candidates_, params_.temperature);
  return candidates_.items[draw_candidate(candidates_, random_)].token;
}

}  // namespace hearth::engine
