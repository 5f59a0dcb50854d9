// AVX2 loops for the machine limits (machine_limits.h). Compiled with -mavx2 -mfma -mf16c; like the kernel
// translation units it uses intrinsics only, no standard library code.
#include <immintrin.h>

#include "machine_limits.h"

namespace hearth::bench {

float stream_sum_avx2(const float* values, int64_t n) {
  __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
  for (int64_t i = 0; i < n; i += 32) {
    a = _mm256_add_ps(a, _mm256_loadu_ps(values + i));
    b = _mm256_add_ps(b, _mm256_loadu_ps(values + i + 8));
    c = _mm256_add_ps(c, _mm256_loadu_ps(values + i + 16));
    d = _mm256_add_ps(d, _mm256_loadu_ps(values + i + 24));
  }
  const __m256 sum = _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

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

}  // namespace hearth::bench
