#pragma once
// Timing helpers shared by the micro benchmarks.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench_options.h"
#include "cpu/memory_bandwidth.h"

namespace hearth::bench {

struct Timing {
  double best;    // seconds: the least disturbed run on a shared machine
  double median;  // seconds: what a run typically took
};

inline double seconds_of(const std::function<void()>& run) {
  const auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The least and the median of `values`.
inline Timing best_and_median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values.front(), values[values.size() / 2]};
}

inline Timing time_runs(int repeats, const std::function<void()>& run) {
  std::vector<double> seconds;
  for (int r = 0; r < std::max(1, repeats); ++r) seconds.push_back(seconds_of(run));
  return best_and_median(seconds);
}

struct BandwidthTiming {
  Timing time;
  double paired_fraction;  // median over runs of (bytes / run time) / (probe bandwidth right after the run)
};

// Times `run` (which reads `bytes` from DRAM) `repeats` times, each run followed by one probe slice read with
// probe_streams streams per thread. This machine's bandwidth drifts by tens of percent within minutes; a run
// and the slice beside it see the same phase, so their ratio is steadier than best time against best probe.
inline BandwidthTiming time_bandwidth_runs(int repeats, double bytes, cpu::ReadProbe& probe, int probe_streams,
                                           const std::function<void()>& run) {
  std::vector<double> seconds, fractions;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    seconds.push_back(seconds_of(run));
    fractions.push_back(bytes / seconds.back() / probe.read_next_slice(probe_streams));
  }
  return {best_and_median(seconds), best_and_median(fractions).median};
}

// One decode case: best and median time, the best rate against the probe's best bandwidth, and the median of
// the paired fractions.
inline void print_decode(const std::string& name, double bytes, const BandwidthTiming& t, const MachineLimits& limits) {
  const double gbs = bytes / t.time.best / 1e9;
  std::printf("%-30s %9.3f ms (median %9.3f)  %7.1f GB/s weights  %5.2f of bandwidth, paired median %4.2f\n", name.c_str(),
              t.time.best * 1e3, t.time.median * 1e3, gbs, gbs / limits.read_gbs, t.paired_fraction);
}

// The last-level cache size, or 32 MiB (this project's first machine class) where the system does not say.
inline double l3_cache_bytes() {
  const long bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return bytes > 0 ? static_cast<double>(bytes) : 32.0 * (1 << 20);
}

// Copies of a weight matrix that together are at least twice the L3 (and 256 MiB), so a benchmark that cycles
// through them reads its weights from DRAM as a model's layers do; at least two.
inline size_t dram_copies(double matrix_bytes) {
  const double total_bytes = std::max(256.0 * (1 << 20), 2 * l3_cache_bytes());
  return std::max<size_t>(2, static_cast<size_t>((total_bytes + matrix_bytes - 1) / matrix_bytes));
}

}  // namespace hearth::bench
