#pragma once
// Command-line options of kernels_bench and the machine limits every case is printed against.
#include <algorithm>
#include <string>
#include <vector>

#include "cpu/memory_bandwidth.h"

namespace hearth::bench {

struct BenchOptions {
  // A case runs when its name (as printed, e.g. "linear Q4_K 1x4096x4096") contains one of these; all run
  // when empty.
  std::vector<std::string> filters;
  // Fewer repeats per case: a rough figure in a fraction of the time.
  bool quick = false;

  bool wants(const std::string& name) const {
    return filters.empty() ||
           std::any_of(filters.begin(), filters.end(), [&](const std::string& f) { return name.find(f) != std::string::npos; });
  }
  int repeats(int full) const { return quick ? std::max(1, full / 4) : full; }
};

struct MachineLimits {
  double read_gbs;      // memory read bandwidth, all pool threads
  cpu::ReadProbe* probe;  // the bandwidth probe's buffer, for slices read beside each decode run
  int probe_streams;      // streams per thread of the probe's best reading
  double fma_gflops;    // f32 FMA peak with the widest vectors the CPU runs, all pool threads
  double int8_gops;     // int8 dot-product peak (AVX2 maddubs + madd or AVX-512 vpdpbusd), 2 ops per byte product
};

}  // namespace hearth::bench
