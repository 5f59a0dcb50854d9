// The quantized linear kernels with NEON (AArch64 baseline: no dot-product extension needed). Weights are
// unpacked into the whole-row panels of the reference (quant_unpack.h); the dot products over them, which
// are the work of both the matrix-matrix and the matrix-vector path, are vectorized here. The activation
// quantizers stay the reference's.
#include <arm_neon.h>

#include "cpu/kernels_install.h"
#include "cpu/quant_unpack.h"
#include "cpu/row_panel_kernels.h"
#include "tensor/types.h"

namespace hearth::cpu {
namespace {

using row_panels::panel_row;
using row_panels::PanelRow;

// Four partial int32 sums of a·b over 16 byte pairs. Every product fits int16 (|a|, |b| ≤ 128), and pairs
// are widened before they are added, so no input overflows.
int32x4_t dot16(int8x16_t a, int8x16_t b) {
  int32x4_t sums = vpaddlq_s16(vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(sums, vmull_high_s8(a, b));
}

int32x4_t dot32(const int8_t* a, const int8_t* b) {
  return vaddq_s32(dot16(vld1q_s8(a), vld1q_s8(b)), dot16(vld1q_s8(a + 16), vld1q_s8(b + 16)));
}

// Σ_blocks d_w·d_x·Σ w·x (+ m_w·s_x for Q4_1 / Q5_1), four blocks per step: their integer sums land in the
// lanes of one vector, scaled by the four d_w·d_x at once.
template <bool kHasMin>
void dot_blocks32(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                  int64_t n_tokens, float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / 32;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t token = first_token + t;
    const int8_t* xq = x.q + token * n_in;
    const float* xd = x.d + token * n_blocks;
    const float* xs = x.s + token * n_blocks;
    for (int64_t r = 0; r < n_rows; ++r) {
      const PanelRow row = panel_row(panel, r, 32);
      float32x4_t acc = vdupq_n_f32(0.0f);
      int64_t b = 0;
      for (; b + 4 <= n_blocks; b += 4) {
        const int32x4_t pairs01 = vpaddq_s32(dot32(row.q + 32 * b, xq + 32 * b), dot32(row.q + 32 * (b + 1), xq + 32 * (b + 1)));
        const int32x4_t pairs23 = vpaddq_s32(dot32(row.q + 32 * (b + 2), xq + 32 * (b + 2)), dot32(row.q + 32 * (b + 3), xq + 32 * (b + 3)));
        const float32x4_t products = vcvtq_f32_s32(vpaddq_s32(pairs01, pairs23));
        acc = vfmaq_f32(acc, vmulq_f32(vld1q_f32(row.d + b), vld1q_f32(xd + b)), products);
        if constexpr (kHasMin) acc = vfmaq_f32(acc, vld1q_f32(row.m + b), vld1q_f32(xs + b));
      }
      float sum = vaddvq_f32(acc);
      for (; b < n_blocks; ++b) {
        const int32_t products = vaddvq_s32(dot32(row.q + 32 * b, xq + 32 * b));
        sum += row.d[b] * xd[b] * static_cast<float>(products);
        if constexpr (kHasMin) sum += row.m[b] * xs[b];
      }
      y[t * y_stride + r] = sum;
    }
  }
}

// Σ_super-blocks d_x·(d_w·Σ_g scale_g·Σ w·x − m_w·Σ_g min_g·bsums_g). The int32 sums cannot overflow: per
// super-block |Σ_g scale_g·Σ w·x| ≤ 16·128·(16·128·128) = 2^29.
void dot_super_blocks(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                      int64_t n_tokens, float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / kQK_K;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t token = first_token + t;
    const int8_t* xq = x.q + token * n_in;
    const int16_t* bsums = x.bsums + token * (n_in / 16);
    for (int64_t r = 0; r < n_rows; ++r) {
      const PanelRow row = panel_row(panel, r, kQK_K);
      float sum = 0.0f;
      for (int64_t b = 0; b < n_blocks; ++b) {
        int32x4_t scaled = vdupq_n_s32(0);
        for (int64_t g = 16 * b; g < 16 * b + 16; ++g) {
          const int32x4_t products = dot16(vld1q_s8(row.q + 16 * g), vld1q_s8(xq + 16 * g));
          scaled = vmlaq_n_s32(scaled, products, row.scales[(g / 2) * 16 + (g % 2) * 8]);
        }
        const int16x8_t mins_low = vld1q_s16(row.mins + 16 * b), mins_high = vld1q_s16(row.mins + 16 * b + 8);
        const int16x8_t sums_low = vld1q_s16(bsums + 16 * b), sums_high = vld1q_s16(bsums + 16 * b + 8);
        int32x4_t min_terms = vmull_s16(vget_low_s16(mins_low), vget_low_s16(sums_low));
        min_terms = vmlal_high_s16(min_terms, mins_low, sums_low);
        min_terms = vmlal_s16(min_terms, vget_low_s16(mins_high), vget_low_s16(sums_high));
        min_terms = vmlal_high_s16(min_terms, mins_high, sums_high);
        sum += x.d[token * n_blocks + b] * (row.d[b] * static_cast<float>(vaddvq_s32(scaled)) -
                                            row.m[b] * static_cast<float>(vaddvq_s32(min_terms)));
      }
      y[t * y_stride + r] = sum;
    }
  }
}

}  // namespace

void install_neon_quant_kernels(Kernels& table) {
  install_row_panel_kernels<dot_blocks32<false>, dot_blocks32<true>, dot_super_blocks>(table);
}

}  // namespace hearth::cpu
