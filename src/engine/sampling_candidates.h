#pragma once
// The candidate list the sampler stages narrow down (llama.cpp's llama_token_data_array), and the partial
// ordering helpers that let stages avoid sorting a whole 262144-token vocabulary.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hearth::engine {

struct Candidate {
  int32_t token = 0;
  float logit = 0.0f;
  float p = 0.0f;  // valid only right after a stage computed a softmax
};

// Descending logit; equal logits put the smaller token first. llama.cpp leaves ties to the sort algorithm; a
// total order makes every result, and therefore every seeded draw, independent of the standard library.
inline bool higher_logit_first(const Candidate& a, const Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.token < b.token);
}

struct Candidates {
  std::vector<Candidate> items;  // capacity is kept between steps so narrowing never frees
  bool sorted = false;           // items are in higher_logit_first order

  // Fills one candidate per token, in token order. NaN becomes -infinity and +infinity the largest float, so
  // every later comparison is a strict order and every softmax is finite.
  void load(std::span<const float> logits);
  size_t size() const { return items.size(); }
};

// Writes p = softmax(logit) over the current candidates: f32 expf of (logit - max), summed in f32, as
// llama.cpp's softmax. If every logit is -infinity they count as equal, giving a uniform distribution.
// Returns the maximum logit.
float compute_softmax(Candidates& candidates);

// Index of the largest logit, the first one in current order on ties.
size_t index_of_max_logit(const Candidates& candidates);

// Walks [first, last) in `less` order and returns how many elements it visited when `is_last(element, index)`
// first held (all of them if never). Only the visited prefix is ordered: it sorts chunks of 256 elements, then
// doubling, selected with nth_element, so a walk that stops early costs O(n) rather than O(n log n). The first
// `already_sorted` elements must already be the smallest, in order.
template <typename Iterator, typename Less, typename IsLast>
size_t walk_in_order(Iterator first, Iterator last, size_t already_sorted, Less less, IsLast is_last) {
  const size_t size = static_cast<size_t>(last - first);
  size_t sorted_end = already_sorted;
  size_t chunk = 256;
  for (size_t index = 0; index < size; ++index) {
    if (index == sorted_end) {
      const size_t chunk_end = std::min(size, sorted_end + chunk);
      std::nth_element(first + sorted_end, first + chunk_end, last, less);
      std::sort(first + sorted_end, first + chunk_end, less);
      sorted_end = chunk_end;
      chunk *= 2;
    }
    if (is_last(first[index], index)) return index + 1;
  }
  return size;
}

// Moves to the front every element in the leading buckets: buckets 0, 1, ... up to the first one at which
// the running sum of `weight_of` reaches `target` and the running count reaches `min_count` (all elements if
// that never happens). `bucket_of` returns 0..kPartitionBuckets-1 and must agree with the order the caller
// sorts by: an element in a lower bucket comes strictly first. Returns how many elements moved. Two O(n)
// passes that let the caller sort only the front instead of the vocabulary (llama.cpp's bucket pre-pass).
inline constexpr size_t kPartitionBuckets = 256;

template <typename Iterator, typename BucketOf, typename WeightOf>
size_t partition_leading_buckets(Iterator first, Iterator last, BucketOf bucket_of, WeightOf weight_of,
                                 float target, size_t min_count) {
  std::array<float, kPartitionBuckets> weight{};
  std::array<size_t, kPartitionBuckets> count{};
  for (Iterator element = first; element != last; ++element) {
    const size_t bucket = bucket_of(*element);
    weight[bucket] += weight_of(*element);
    ++count[bucket];
  }
  float running_weight = 0.0f;
  size_t running_count = 0;
  size_t last_bucket = 0;
  for (; last_bucket + 1 < kPartitionBuckets; ++last_bucket) {
    running_weight += weight[last_bucket];
    running_count += count[last_bucket];
    if (running_weight >= target && running_count >= min_count) break;
  }
  const auto leading = std::partition(first, last, [&](const auto& element) {
    return bucket_of(element) <= last_bucket;
  });
  return static_cast<size_t>(leading - first);
}

// Bucket for a non-negative distance (a logit's distance below the maximum, a typicality score): quarter-unit
// buckets up to 64, the rest (infinity, NaN) in the last one. Probabilities exp(-64) apart are beyond float
// resolution, so the coarse last bucket never decides anything.
inline size_t distance_bucket(float distance) {
  constexpr float kBucketsPerUnit = 4.0f;
  constexpr float kRange = kPartitionBuckets / kBucketsPerUnit;
  return distance < kRange ? static_cast<size_t>(distance * kBucketsPerUnit) : kPartitionBuckets - 1;
}

// Moves the `count` smallest elements by `less` to the front, in order.
template <typename Iterator, typename Less>
void sort_prefix(Iterator first, Iterator last, size_t count, Less less) {
  std::nth_element(first, first + count, last, less);
  std::sort(first, first + count, less);
}

}  // namespace hearth::engine
