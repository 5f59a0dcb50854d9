#pragma once
// Timing helpers shared by the micro benchmarks.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

namespace hearth::bench {

struct Timing {
  double best;    // seconds: the least disturbed run on a shared machine
  double median;  // seconds: what a run typically took
};

inline Timing time_runs(int repeats, const std::function<void()>& run) {
  std::vector<double> seconds;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return {seconds.front(), seconds[seconds.size() / 2]};
}

// Copies of a weight matrix that together are at least 256 MiB (8× the 32 MiB L3 of this machine class), so a
// benchmark that cycles through them reads its weights from DRAM as a model's layers do; at least two.
inline size_t dram_copies(double matrix_bytes) {
  constexpr double kTotalBytes = 256.0 * (1 << 20);
  return std::max<size_t>(2, static_cast<size_t>((kTotalBytes + matrix_bytes - 1) / matrix_bytes));
}

}  // namespace hearth::bench
