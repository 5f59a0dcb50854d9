// Q8_K, the activation format of the K-quant dot products (spec §5): one f32 scale per 256 values, chosen so
// the largest-magnitude element becomes -127, plus the 16-element sums the kernels use for the min terms.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/kquant_search.h"
#include "tensor/quantizers.h"
#include "tensor/quants.h"

namespace hearth {

void quant::quantize_q8_k(const float* x, BlockQ8_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockQ8_K& block = y[b];
    float max = 0;
    float amax = 0;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    if (amax == 0) {
      // ggml leaves bsums unwritten here; zeros keep the block well-defined.
      std::memset(&block, 0, sizeof(block));
      continue;
    }
    // -127 rather than -128 keeps every quant within +-127, which the IQ2 AVX kernels rely on.
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j) {
      block.qs[j] = static_cast<int8_t>(std::min(127, kquant::nearest_int(iscale * x[j])));
    }
    for (int g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j) sum += block.qs[16 * g + j];
      block.bsums[g] = static_cast<int16_t>(sum);
    }
    block.d = 1 / iscale;
  }
}

void dequantize_row_q8_k(const BlockQ8_K* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    for (int j = 0; j < kQK_K; ++j) *dst++ = src[b].d * static_cast<float>(src[b].qs[j]);
  }
}

}  // namespace hearth
