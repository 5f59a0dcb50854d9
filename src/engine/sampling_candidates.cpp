#include "engine/sampling_candidates.h"

#include <cmath>
#include <limits>

namespace hearth::engine {

void Candidates::load(std::span<const float> logits) {
  items.resize(logits.size());
  for (size_t token = 0; token < logits.size(); ++token) {
    const float logit = logits[token];
    items[token].token = static_cast<int32_t>(token);
    items[token].logit = std::isnan(logit) ? -std::numeric_limits<float>::infinity()
                                           : std::min(logit, std::numeric_limits<float>::max());
  }
  sorted = false;
}

float compute_softmax(Candidates& candidates) {
  const float max_logit = candidates.items[index_of_max_logit(candidates)].logit;
  float sum = 0.0f;
  for (Candidate& candidate : candidates.items) {
    candidate.p = candidate.logit == max_logit ? 1.0f : std::exp(candidate.logit - max_logit);
    sum += candidate.p;
  }
  for (Candidate& candidate : candidates.items) candidate.p /= sum;
  return max_logit;
}

size_t index_of_max_logit(const Candidates& candidates) {
  if (candidates.sorted) return 0;
  const std::vector<Candidate>& items = candidates.items;
  size_t best = 0;
  float best_logit = items[0].logit;
  for (size_t index = 1; index < items.size(); ++index) {
    if (items[index].logit > best_logit) {
      best = index;
      best_logit = items[index].logit;
    }
  }
  return best;
}

}  // namespace hearth::engine
