#include "engine/sampling_stages.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace hearth::engine {
namespace {

// Keeps a biased or penalized logit off +infinity, which would make later softmaxes NaN.
float capped(float logit) { return std::min(logit, std::numeric_limits<float>::max()); }

// Buckets candidates by how far their logit lies below the maximum, which orders them like
// higher_logit_first.
auto by_distance_below(float max_logit) {
  return [max_logit](const Candidate& candidate) { return distance_bucket(max_logit - candidate.logit); };
}

bool in_vocabulary(int32_t token, const Candidates& candidates) {
  return token >= 0 && static_cast<size_t>(token) < candidates.size();
}

}  // namespace

void apply_logit_bias(Candidates& candidates, std::span<const LogitBias> biases) {
  for (const LogitBias& entry : biases) {
    float& logit = candidates.items[static_cast<size_t>(entry.token)].logit;
    logit = capped(logit + entry.bias);
  }
}

void apply_penalties(Candidates& candidates, const PenaltySettings& settings, std::span<const int32_t> window,
                     std::vector<int32_t>& counts) {
  for (int32_t token : window) {
    if (in_vocabulary(token, candidates)) ++counts[static_cast<size_t>(token)];
  }
  // Visiting the window again touches each distinct token once (its count is zeroed after use), which keeps
  // the cost proportional to the window instead of the vocabulary.
  for (int32_t token : window) {
    if (!in_vocabulary(token, candidates)) continue;
    int32_t& count = counts[static_cast<size_t>(token)];
    if (count == 0) continue;
    float& logit = candidates.items[static_cast<size_t>(token)].logit;
    logit = logit <= 0.0f ? logit * settings.repeat : logit / settings.repeat;
    logit = capped(logit - (static_cast<float>(count) * settings.frequency + settings.presence));
    count = 0;
  }
}

void apply_top_k(Candidates& candidates, int32_t k) {
  if (k <= 0) return;
  const size_t keep = std::min(static_cast<size_t>(k), candidates.size());
  if (!candidates.sorted) {
    auto& items = candidates.items;
    const float max_logit = items[index_of_max_logit(candidates)].logit;
    const auto no_weight = [](const Candidate&) { return 0.0f; };
    const size_t leading =
        partition_leading_buckets(items.begin(), items.end(), by_distance_below(max_logit), no_weight, 0.0f, keep);
    sort_prefix(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(leading), keep, higher_logit_first);
  }
  candidates.items.resize(keep);
  candidates.sorted = true;
}

void apply_typical(Candidates& candidates, float p, size_t min_keep, TypicalScratch& scratch) {
  if (p >= 1.0f) return;
  compute_softmax(candidates);
  float entropy = 0.0f;
  for (const Candidate& candidate : candidates.items) {
    if (candidate.p > 0.0f) entropy -= candidate.p * std::log(candidate.p);
  }
  const size_t size = candidates.size();
  scratch.scores.resize(size);
  scratch.order.resize(size);
  for (size_t index = 0; index < size; ++index) {
    const float probability = candidates.items[index].p;
    scratch.scores[index] = probability > 0.0f ? std::fabs(-std::log(probability) - entropy)
                                               : std::numeric_limits<float>::infinity();
    scratch.order[index] = static_cast<uint32_t>(index);
  }
  const auto more_typical = [&scores = scratch.scores](uint32_t a, uint32_t b) {
    return scores[a] < scores[b] || (scores[a] == scores[b] && a < b);
  };
  const size_t leading = partition_leading_buckets(
      scratch.order.begin(), scratch.order.end(),
      [&scores = scratch.scores](uint32_t index) { return distance_bucket(scores[index]); },
      [&candidates](uint32_t index) { return candidates.items[index].p; }, p, min_keep);
  const auto leading_end = scratch.order.begin() + static_cast<std::ptrdiff_t>(leading);
  std::sort(scratch.order.begin(), leading_end, more_typical);
  float cumulative = 0.0f;
  const size_t keep = walk_in_order(scratch.order.begin(), scratch.order.end(), leading, more_typical,
                                    [&](uint32_t index, size_t position) {
                                      cumulative += candidates.items[index].p;
                                      return cumulative > p && position + 1 >= min_keep;
                                    });
  scratch.kept.clear();
  for (size_t position = 0; position < keep; ++position) {
    scratch.kept.push_back(candidates.items[scratch.order[position]]);
  }
  candidates.items.assign(scratch.kept.begin(), scratch.kept.end());
  candidates.sorted = false;
}

void apply_top_p(Candidates& candidates, float p, size_t min_keep) {
  if (p >= 1.0f) return;
  const float max_logit = compute_softmax(candidates);
  auto& items = candidates.items;
  size_t already_sorted = items.size();
  if (!candidates.sorted) {
    const auto probability = [](const Candidate& candidate) { return candidate.p; };
    already_sorted = partition_leading_buckets(items.begin(), items.end(), by_distance_below(max_logit),
                                               probability, p, min_keep);
    std::sort(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(already_sorted), higher_logit_first);
  }
  float cumulative = 0.0f;
  const size_t keep = walk_in_order(candidates.items.begin(), candidates.items.end(), already_sorted,
                                    higher_logit_first, [&](const Candidate& candidate, size_t position) {
                                      cumulative += candidate.p;
                                      return cumulative >= p && position + 1 >= min_keep;
                                    });
  candidates.items.resize(keep);
  candidates.sorted = true;
}

void apply_min_p(Candidates& candidates, float p, size_t min_keep) {
  if (p <= 0.0f) return;
  auto& items = candidates.items;
  if (candidates.sorted) {
    const float threshold = items.front().logit + std::log(p);
    size_t keep = 1;
    while (keep < items.size() && (items[keep].logit >= threshold || keep < min_keep)) ++keep;
    items.resize(keep);
    return;
  }
  const float threshold = items[index_of_max_logit(candidates)].logit + std::log(p);
  const auto passes = [threshold](const Candidate& candidate) { return candidate.logit >= threshold; };
  const size_t passing = static_cast<size_t>(std::count_if(items.begin(), items.end(), passes));
  if (passing >= min_keep) {
    size_t kept = 0;
    for (const Candidate& candidate : items) {
      if (passes(candidate)) items[kept++] = candidate;
    }
    items.resize(kept);
    return;
  }
  const size_t keep = std::min(min_keep, items.size());
  sort_prefix(items.begin(), items.end(), keep, higher_logit_first);
  items.resize(keep);
  candidates.sorted = true;
}

void apply_temperature(Candidates& candidates, float temperature) {
  for (Candidate& candidate : candidates.items) candidate.logit /= temperature;
}

size_t draw_candidate(Candidates& candidates, SamplingRandom& random) {
  if (candidates.size() == 1) return 0;
  const size_t max_index = index_of_max_logit(candidates);
  const float max_logit = candidates.items[max_index].logit;
  double sum = 0.0;
  for (Candidate& candidate : candidates.items) {
    candidate.p = candidate.logit == max_logit ? 1.0f : std::exp(candidate.logit - max_logit);
    sum += candidate.p;
  }
  const double target = sum * random.next_unit();
  double running = 0.0;
  for (size_t index = 0; index < candidates.size(); ++index) {
    running += candidates.items[index].p;
    // A zero-probability (banned) token is never chosen, even when the draw is exactly 0.
    if (running >= target && candidates.items[index].p > 0.0f) return index;
  }
  // Unreachable: the running sum ends at `sum`, which exceeds `target` because the draw is below 1.
  return max_index;
}

}  // namespace hearth::engine
