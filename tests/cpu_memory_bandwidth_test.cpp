// The bandwidth probe that `hearth bench` and bench/kernels_bench share: one figure per stream count, and the
// best of them as the machine's bandwidth. Only sanity bounds: timings are not asserted.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "cpu/memory_bandwidth.h"

namespace hearth::cpu {
namespace {

TEST(ReadBandwidth, ReportsEveryStreamCountAndTheBestOfThem) {
  ThreadPool pool(2);
  const ReadBandwidth bandwidth = measure_read_bandwidth(pool, 1);
  for (double bytes_per_s : bandwidth.by_streams) {
    EXPECT_TRUE(std::isfinite(bytes_per_s));
    EXPECT_GT(bytes_per_s, 1e8);  // 0.1 GB/s: far below any machine, even under the sanitizers
  }
  EXPECT_EQ(bandwidth.best, *std::max_element(bandwidth.by_streams.begin(), bandwidth.by_streams.end()));
}

}  // namespace
}  // namespace hearth::cpu
