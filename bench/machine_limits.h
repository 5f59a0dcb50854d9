#pragma once
// Loops that measure what the machine can do at best, so kernel timings can be printed as fractions of it.
// Defined in machine_limits_avx2.cpp (AVX2 + FMA); call only where cpu_supports(Isa::avx2).
#include <cstdint>

namespace hearth::bench {

// Sums n floats (n a multiple of 32) with enough independent accumulators that only memory limits it.
float stream_sum_avx2(const float* values, int64_t n);

// Runs `iterations` rounds of kFmaChains independent 8-lane FMAs; returns a value that depends on all of
// them so the loop cannot be optimised away.
inline constexpr int kFmaChains = 12;
float fma_loop_avx2(int64_t iterations);

}  // namespace hearth::bench
