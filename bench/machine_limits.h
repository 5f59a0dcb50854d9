#pragma once
// Loops that measure what the machine can do at best, so kernel timings can be printed as fractions of it.
// Defined in machine_limits_avx2.cpp (AVX2 + FMA); call only where cpu_supports(Isa::avx2).
#include <cstdint>

namespace hearth::bench {

// Reads n_bytes from `bytes` with 256-bit loads as n_streams equal parts read side by side (128 bytes of
// each in turn), as a kernel reading several weight rows at once does; n_bytes is a multiple of
// 128·n_streams. Returns a value that depends on every byte so no load can be dropped.
uint64_t stream_read_avx2(const uint8_t* bytes, int64_t n_bytes, int n_streams);

// Runs `iterations` rounds of kFmaChains independent 8-lane FMAs; returns a value that depends on all of
// them so the loop cannot be optimised away.
inline constexpr int kFmaChains = 12;
float fma_loop_avx2(int64_t iterations);

// Runs `iterations` rounds of kDotChains independent maddubs + madd + add steps (32 byte products each),
// the integer dot product of the quantized kernels; returns a value that depends on all of them.
inline constexpr int kDotChains = 8;
int32_t int8_dot_loop_avx2(int64_t iterations);

}  // namespace hearth::bench
