#pragma once
// The machine's memory read bandwidth as the pool's threads see it, the figure that decode speed is judged
// against (`hearth bench` and bench/kernels_bench use this one probe).
//
// A 1 GiB buffer (32× the L3 of this machine class) is read in slices of 128 MiB, each timed on its own: a
// slice is still 4× the L3 and was last read a whole buffer ago, so it comes from DRAM, and a slice is short
// enough that on a shared machine some passes run undisturbed. Each thread reads one contiguous part of a
// slice as 1, 2, 4 or 8 side-by-side streams (a kernel reading several weight rows at once keeps more
// requests in flight than one stream does); the best slice of the best stream count is the bandwidth.
#include <array>
#include <cstdint>

#include "cpu/thread_pool.h"

namespace hearth::cpu {

struct ReadBandwidth {
  static constexpr std::array<int, 4> kStreamCounts = {1, 2, 4, 8};
  std::array<double, kStreamCounts.size()> by_streams{};  // bytes per second, per stream count per thread
  double best = 0.0;                                      // bytes per second
};

// `passes` over the whole buffer per stream count.
ReadBandwidth measure_read_bandwidth(ThreadPool& pool, int passes = 4);

}  // namespace hearth::cpu
