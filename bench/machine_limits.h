#pragma once
// Loops that measure what the machine can do at best, so kernel timings can be printed as fractions of it.
// Defined in machine_limits_avx2.cpp (AVX2 + FMA); call only where cpu_supports(Isa::avx2).
#include <cstdint>

namespace hearth::bench {

// Runs `iterations` rounds of kFmaChains independent 8-lane FMAs; returns a value that depends on all of
// them so the loop cannot be optimised away.
inline constexpr int kFmaChains = 12;
float fma_loop_avx2(int64_t iterations);

// Runs `iterations` rounds of kDotChains independent maddubs + madd + add steps (32 byte products each),
// the integer dot product of the quantized kernels; returns a value that depends on all of them.
inline constexpr int kDotChains = 8;
int32_t int8_dot_loop_avx2(int64_t iterations);

}  // namespace hearth::bench
