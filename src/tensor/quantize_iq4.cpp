// IQ4_NL and IQ4_XS (ggml quantize_row_iq4_nl_impl, as quantize_iq4_nl / quantize_iq4_xs call it without an
// importance matrix: weights x², 7 scale trials either side of the first guess).
#include <algorithm>
#include <cmath>

#include "tensor/fp16.h"
#include "tensor/kquant_search.h"
#include "tensor/quantizers.h"

namespace hearth::quant {
namespace {

constexpr int kSubBlock = 32;
constexpr int kScaleTrials = 7;

// Index of the codebook value nearest to x; at an exact midpoint the larger value wins. Comparing 2x with the
// (exact, integer) sum of neighbours avoids rounding in the midpoint.
int nearest_codebook_index(float x) {
  const float twice = x + x;
  int index = 0;
  for (int step = 8; step > 0; step >>= 1) {
    const int candidate = index + step;
    if (twice >= static_cast<float>(kIq4nlValues[candidate - 1] + kIq4nlValues[candidate])) index = candidate;
  }
  return index;
}

// Best scale of one 32-value sub-block: starting from d = max/127, try the 15 scales (t - 127)/max, t in
// [-7, 7], each with its nearest-codebook quants, and keep the one with the best x²-weighted fit. Only the
// scale is returned: callers derive the final quants from the scale they actually store.
float fit_sub_block(const float* x) {
  float amax = 0;
  float max = 0;
  for (int j = 0; j < kSubBlock; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  if (amax < kquant::kGroupMaxEps) return 0;
  struct Fit {
    float sumqx = 0;
    float sumq2 = 0;
  };
  const auto fit_for = [&](float id) {
    Fit fit;
    for (int j = 0; j < kSubBlock; ++j) {
      const int l = nearest_codebook_index(id * x[j]);
      const auto q = static_cast<float>(kIq4nlValues[l]);
      const float w = x[j] * x[j];
      fit.sumqx += w * q * x[j];
      fit.sumq2 += w * q * q;
    }
    return fit;
  };

  const float first_value = kIq4nlValues[0];
  Fit fit = fit_for(1 / (-max / first_value));
  float d = fit.sumq2 > 0 ? fit.sumqx / fit.sumq2 : 0.f;
  float best = d * fit.sumqx;
  for (int trial = -kScaleTrials; trial <= kScaleTrials; ++trial) {
    fit = fit_for(static_cast<float>(trial + kIq4nlValues[0]) / max);
    if (fit.sumq2 > 0 && fit.sumqx * fit.sumqx > best * fit.sumq2) {
      d = fit.sumqx / fit.sumq2;
      best = d * fit.sumqx;
    }
  }
  return d;
}

void pack_sub_block(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
}

void requantize(const float* x, float inverse_scale, uint8_t* L) {
  for (int j = 0; j < kSubBlock; ++j) L[j] = static_cast<uint8_t>(nearest_codebook_index(inverse_scale * x[j]));
}

}  // namespace

void quantize_iq4_nl(const float* x, BlockIQ4_NL* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK4_NL; ++b, x += kQK4_NL) {
    const float d = fit_sub_block(x);
    y[b].d = f32_to_fp16(d);
    // The quants follow the unrounded scale, as in ggml.
    uint8_t L[kSubBlock];
    requantize(x, d != 0 ? 1 / d : 0, L);
    pack_sub_block(L, y[b].qs);
  }
}

void quantize_iq4_xs(const float* x, BlockIQ4_XS* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockIQ4_XS& block = y[b];
    float scales[kQK_K / kSubBlock];
    float max_scale = 0;  // signed: the sub-block scale with the largest magnitude
    float amax_scale = 0;
    for (int ib = 0; ib < kQK_K / kSubBlock; ++ib) {
      scales[ib] = fit_sub_block(x + kSubBlock * ib);
      if (std::fabs(scales[ib]) > amax_scale) {
        amax_scale = std::fabs(scales[ib]);
        max_scale = scales[ib];
      }
    }

    // Sub-block scales become 6-bit multiples (-32..31) of d, where the largest one maps to -32.
    const float d = -max_scale / 32;
    block.d = f32_to_fp16(d);
    block.scales_h = 0;
    const float id = d != 0 ? 1 / d : 0.f;
    for (int ib = 0; ib < kQK_K / kSubBlock; ++ib) {
      const int l = std::clamp(kquant::nearest_int(id * scales[ib]), -32, 31);
      const float dl = d * static_cast<float>(l);
      uint8_t L[kSubBlock];
      requantize(x + kSubBlock * ib, dl != 0 ? 1 / dl : 0.f, L);
      const int stored = l + 32;
      if (ib % 2 == 0) {
        block.scales_l[ib / 2] = static_cast<uint8_t>(stored & 0xF);
      } else {
        block.scales_l[ib / 2] |= static_cast<uint8_t>((stored & 0xF) << 4);
      }
      block.scales_h |= static_cast<uint16_t>((stored >> 4) << (2 * ib));
      pack_sub_block(L, block.qs + 16 * ib);
    }
  }
}

}  // namespace hearth::quant
