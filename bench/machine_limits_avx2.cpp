// AVX2 loops for the machine limits (machine_limits.h). Compiled with -mavx2 -mfma -mf16c; like the kernel
// translation units it uses intrinsics only, no standard library code.
#include <immintrin.h>

#include "machine_limits.h"

namespace hearth::bench {

// 12 chains: FMA latency (4-5 cycles) × 2 FMA pipes needs at least 10 in flight; 12 of 16 registers.
float fma_loop_avx2(int64_t iterations) {
  __m256 acc[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 scale = _mm256_set1_ps(0.999999f);
  const __m256 offset = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], scale, offset);
  }
  __m256 total = acc[0];
  for (int i = 1; i < kFmaChains; ++i) total = _mm256_add_ps(total, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, total);
  return lanes[0];
}

// Only the int32 add is a loop-carried dependency; the empty asm makes `bytes` new each round so the
// products cannot be hoisted out of the loop.
int32_t int8_dot_loop_avx2(int64_t iterations) {
  __m256i acc[kDotChains];
  __m256i weights[kDotChains];
  for (int i = 0; i < kDotChains; ++i) {
    acc[i] = _mm256_setzero_si256();
    weights[i] = _mm256_set1_epi8(static_cast<char>(i - 4));
  }
  __m256i bytes = _mm256_set1_epi8(3);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+x"(bytes));
    for (int i = 0; i < kDotChains; ++i) {
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(bytes, weights[i]), ones));
    }
  }
  __m256i total = acc[0];
  for (int i = 1; i < kDotChains; ++i) total = _mm256_add_epi32(total, acc[i]);
  return _mm256_extract_epi32(total, 0);
}

}  // namespace hearth::bench
