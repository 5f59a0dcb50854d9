#pragma once
// Timing helper shared by the micro benchmarks.
#include <algorithm>
#include <chrono>
#include <functional>

namespace hearth::bench {

// Best of `repeats` runs, in seconds: the least disturbed run on a shared machine.
inline double best_seconds(int repeats, const std::function<void()>& run) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// Copies of a weight matrix that together are 4× the L3 (32 MiB on this machine class), so a benchmark
// that cycles through them reads its weights from DRAM as a model's layers do.
inline size_t dram_copies(double matrix_bytes) { return static_cast<size_t>(std::max(1.0, 4.0 * (32 << 20) / matrix_bytes)); }

}  // namespace hearth::bench
