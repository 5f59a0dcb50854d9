#pragma once
// Counters for /metrics (Prometheus text format), updated by the routes as requests finish.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "engine/generation.h"

namespace hearth::server {

// A cumulative histogram with fixed bucket bounds (seconds).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  // Prometheus lines for metric `name` (…_bucket, …_sum, …_count).
  std::string render(const std::string& name, const std::string& help) const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last = +Inf
  double sum_ = 0.0;
  uint64_t count_ = 0;
};

struct ServerMetrics {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> request_errors{0};
  std::atomic<uint64_t> prompt_tokens{0};
  std::atomic<uint64_t> cached_prompt_tokens{0};
  std::atomic<uint64_t> generated_tokens{0};
  Histogram time_to_first_token{{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}};
  Histogram time_per_token{{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}};

  // Counts a finished generation: its tokens and latencies.
  void record(const engine::GenerationResult& result);
};

}  // namespace hearth::server
