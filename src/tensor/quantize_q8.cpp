// Q8_0 / Q8_1 in both numerics of spec §5: the reference (roundf, id = 1/d; what llama-quantize writes for
// Q8_0 weights) and the x86 AVX activation path (round-half-even, id = 127/amax).
#include <algorithm>
#include <cmath>

#include "tensor/fp16.h"
#include "tensor/quantizers.h"
#include "tensor/quants.h"

namespace hearth {
namespace {

float absmax(const float* x, int n) {
  float amax = 0;
  for (int j = 0; j < n; ++j) amax = std::max(amax, std::fabs(x[j]));
  return amax;
}

enum class Numerics { kReference, kAvx };

// Returns the f32 scale d (the fp16 copy is stored by the caller's format) and fills 32 quants.
float quantize_q8_block(const float* x, Numerics numerics, int8_t* q) {
  const float amax = absmax(x, 32);
  const float d = amax / 127.f;
  if (numerics == Numerics::kReference) {
    const float id = d != 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; ++j) q[j] = static_cast<int8_t>(std::roundf(x[j] * id));
  } else {
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    for (int j = 0; j < 32; ++j) q[j] = static_cast<int8_t>(std::nearbyint(x[j] * id));
  }
  return d;
}

void quantize_q8_0_blocks(const float* x, BlockQ8_0* y, int64_t n, Numerics numerics) {
  for (int64_t b = 0; b < n / kQK8_0; ++b, x += kQK8_0) {
    y[b].d = f32_to_fp16(quantize_q8_block(x, numerics, y[b].qs));
  }
}

void quantize_q8_1_blocks(const float* x, BlockQ8_1* y, int64_t n, Numerics numerics) {
  for (int64_t b = 0; b < n / kQK8_1; ++b, x += kQK8_1) {
    const float d = quantize_q8_block(x, numerics, y[b].qs);
    int sum = 0;
    for (const int8_t q : y[b].qs) sum += q;
    y[b].d = f32_to_fp16(d);
    y[b].s = f32_to_fp16(static_cast<float>(sum) * d);
  }
}

}  // namespace

namespace quant {

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t n) { quantize_q8_0_blocks(x, y, n, Numerics::kReference); }
void quantize_q8_1(const float* x, BlockQ8_1* y, int64_t n) { quantize_q8_1_blocks(x, y, n, Numerics::kReference); }

}  // namespace quant

void quantize_row_q8_0_activation(const float* src, BlockQ8_0* dst, int64_t n) {
  quantize_q8_0_blocks(src, dst, n, Numerics::kAvx);
}

void quantize_row_q8_1_activation(const float* src, BlockQ8_1* dst, int64_t n) {
  quantize_q8_1_blocks(src, dst, n, Numerics::kAvx);
}

}  // namespace hearth
