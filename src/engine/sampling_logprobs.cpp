#include "engine/sampling_logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hearth::engine {
namespace {

float sanitized(float logit) { return std::isnan(logit) ? -std::numeric_limits<float>::infinity() : logit; }

bool more_likely(const TokenLogprob& a, const TokenLogprob& b) {
  return a.logprob > b.logprob || (a.logprob == b.logprob && a.token < b.token);
}

}  // namespace

StepLogprobs compute_logprobs(std::span<const float> logits, int32_t chosen_token, size_t top_n) {
  float max_logit = -std::numeric_limits<float>::infinity();
  for (float logit : logits) max_logit = std::max(max_logit, sanitized(logit));
  // Logits equal to the maximum shift to exactly 0, so an all -infinity row is uniform rather than NaN (as in
  // the sampler's softmax).
  const auto shifted = [max_logit](float logit) {
    const float value = sanitized(logit);
    return value == max_logit ? 0.0f : value - max_logit;
  };
  // f32 exponentials (as the sampler) summed in double: the sum is the only place precision is lost.
  double sum = 0.0;
  for (float logit : logits) sum += std::exp(shifted(logit));
  const double log_sum = std::log(sum);
  const auto logprob_of = [&](float logit) { return static_cast<float>(shifted(logit) - log_sum); };

  StepLogprobs result;
  result.chosen = {chosen_token, logprob_of(logits[static_cast<size_t>(chosen_token)])};
  // A min-heap of the best top_n seen so far: one pass over the vocabulary without a vocabulary-sized buffer.
  const size_t count = std::min(top_n, logits.size());
  result.top.reserve(count);
  for (size_t token = 0; token < logits.size() && count > 0; ++token) {
    const TokenLogprob entry{static_cast<int32_t>(token), logprob_of(logits[token])};
    if (result.top.size() < count) {
      result.top.push_back(entry);
      std::push_heap(result.top.begin(), result.top.end(), more_likely);
    } else if (more_likely(entry, result.top.front())) {
      std::pop_heap(result.top.begin(), result.top.end(), more_likely);
      result.top.back() = entry;
      std::push_heap(result.top.begin(), result.top.end(), more_likely);
    }
  }
  std::sort_heap(result.top.begin(), result.top.end(), more_likely);
  return result;
}

}  // namespace hearth::engine
