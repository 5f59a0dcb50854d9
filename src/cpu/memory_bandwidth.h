#pragma once
// The machine's memory read bandwidth as the pool's threads see it: every thread streams its own part of a
// buffer far larger than the last-level cache; the best of several passes is reported.
#include <cstdint>

#include "cpu/thread_pool.h"

namespace hearth::cpu {

// Bytes per second. buffer_bytes should exceed the last-level cache several times (default 1 GiB).
double measure_read_bandwidth(ThreadPool& pool, uint64_t buffer_bytes = uint64_t{1} << 30, int passes = 4);

}  // namespace hearth::cpu
