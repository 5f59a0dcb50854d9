#pragma once
// The machine's memory read bandwidth as the pool's threads see it, the figure that decode speed is judged
// against (`hearth bench` and bench/kernels_bench use this one probe).
//
// A 1 GiB buffer on huge pages (32× a 32 MiB L3, twice the largest L3 measured on, 480 MiB) is read in slices
// of 128 MiB, each timed on its own: a slice was last read a whole buffer ago, so it comes from DRAM, and a
// slice is short enough that on a shared machine some passes run undisturbed. Each thread reads one contiguous part of a
// slice as 1, 2, 4 or 8 side-by-side streams (a kernel reading several weight rows at once keeps more
// requests in flight than one stream does); the best slice of the best stream count is the bandwidth.
#include <array>
#include <atomic>
#include <cstdint>

#include "cpu/huge_page_arena.h"
#include "cpu/thread_pool.h"

namespace hearth::cpu {

// The probe's buffer, read one slice at a time: measure_read_bandwidth below, and benchmarks that time a
// slice right beside each kernel run, so both see the machine in the same phase.
class ReadProbe {
 public:
  explicit ReadProbe(ThreadPool& pool);
  // Reads the slice after the previous one, each pool thread its part as n_streams streams side by side;
  // returns bytes per second.
  double read_next_slice(int n_streams);

 private:
  ThreadPool& pool_;
  HugePageArena arena_;  // on huge pages as the decode weights are (resident_weights.h)
  uint8_t* buffer_ = nullptr;
  int64_t next_slice_ = 0;
  std::atomic<uint64_t> sink_{0};  // an observable use of the reads
};

struct ReadBandwidth {
  static constexpr std::array<int, 4> kStreamCounts = {1, 2, 4, 8};
  std::array<double, kStreamCounts.size()> by_streams{};  // bytes per second, per stream count per thread
  double best = 0.0;                                      // bytes per second
};

// `passes` over the whole buffer per stream count.
ReadBandwidth measure_read_bandwidth(ThreadPool& pool, int passes = 4);

}  // namespace hearth::cpu
