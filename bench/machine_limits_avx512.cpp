// AVX-512 loops for the machine limits (machine_limits.h): 512-bit FMA and the VNNI 4-way byte dot product.
// Compiled with the avx512 level's flags; intrinsics only, no standard library code.
#include <immintrin.h>

#include "machine_limits.h"

namespace hearth::bench {

float fma_loop_avx512(int64_t iterations) {
  __m512 acc[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 scale = _mm512_set1_ps(0.999999f);
  const __m512 offset = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], scale, offset);
  }
  __m512 total = acc[0];
  for (int i = 1; i < kFmaChains; ++i) total = _mm512_add_ps(total, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, total);
  return lanes[0];
}

// vpdpbusd accumulates in place, so each chain is one loop-carried dependency (latency 5 against 2 per
// cycle: 8 chains keep both pipes busy); the empty asm makes `bytes` new each round.
int32_t int8_dot_loop_avx512(int64_t iterations) {
  __m512i acc[kDotChains];
  __m512i weights[kDotChains];
  for (int i = 0; i < kDotChains; ++i) {
    acc[i] = _mm512_setzero_si512();
    weights[i] = _mm512_set1_epi8(static_cast<char>(i - 4));
  }
  __m512i bytes = _mm512_set1_epi8(3);
  for (int64_t it = 0; it < iterations; ++it) {
    __asm__ volatile("" : "+v"(bytes));
    for (int i = 0; i < kDotChains; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], bytes, weights[i]);
  }
  __m512i total = acc[0];
  for (int i = 1; i < kDotChains; ++i) total = _mm512_add_epi32(total, acc[i]);
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, total);
  return lanes[0];
}

}  // namespace hearth::bench
