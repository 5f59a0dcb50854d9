#pragma once
// Loops that measure what the machine can do at best, so kernel timings can be printed as fractions of it.
// The AVX2 loops (machine_limits_avx2.cpp) run where cpu_supports(Isa::avx2); the AVX-512 ones
// (machine_limits_avx512.cpp, compiled when HEARTH_BENCH_HAS_AVX512 is defined) where cpu_supports(Isa::avx512).
#include <cstdint>

namespace hearth::bench {

// Runs `iterations` rounds of kFmaChains independent FMAs (8 lanes each in AVX2, 16 in AVX-512); returns a
// value that depends on all of them so the loop cannot be optimised away.
inline constexpr int kFmaChains = 12;
float fma_loop_avx2(int64_t iterations);
float fma_loop_avx512(int64_t iterations);

// Runs `iterations` rounds of kDotChains independent byte dot products: maddubs + madd + add in AVX2 (32 byte
// products each), vpdpbusd in AVX-512 VNNI (64); returns a value that depends on all of them.
inline constexpr int kDotChains = 8;
int32_t int8_dot_loop_avx2(int64_t iterations);
int32_t int8_dot_loop_avx512(int64_t iterations);

}  // namespace hearth::bench
