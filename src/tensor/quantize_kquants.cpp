// The K-quant reference quantizers (ggml quantize_row_q{2..6}_K_ref). Each super-block is done in three steps:
// fit a float scale (and min) per sub-block, quantize those to the block's 4-, 6- or 8-bit sub-scales under one
// fp16 super-scale, then re-quantize every value against the scale it will actually be decoded with.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/kquant_search.h"
#include "tensor/quantizers.h"

namespace hearth::quant {

using kquant::nearest_int;

namespace {

// Packs 256 two-bit values: byte l of 128-element half h holds elements 128h + l + 32g at bits 2g (Q2_K, Q3_K).
void pack_two_bit_quants(const uint8_t* L, uint8_t* qs) {
  for (int half = 0; half < 2; ++half) {
    const uint8_t* values = L + 128 * half;
    for (int l = 0; l < 32; ++l) {
      qs[32 * half + l] = static_cast<uint8_t>(values[l] | (values[l + 32] << 2) | (values[l + 64] << 4) |
                                               (values[l + 96] << 6));
    }
  }
}

// Q3_K and Q6_K: fits a signed scale to each 16-value sub-block of a super-block (quants to L) and returns
// the one of largest magnitude (the first on ties), from which the super-block scale follows.
float fit_signed_sub_scales(const float* x, int nmax, float (*fit)(int, int, const float*, int8_t*),
                            float* scales, int8_t* L) {
  float max_scale = 0;
  float max_abs_scale = 0;
  for (int j = 0; j < 16; ++j) {
    scales[j] = fit(16, nmax, x + 16 * j, L + 16 * j);
    if (std::fabs(scales[j]) > max_abs_scale) {
      max_abs_scale = std::fabs(scales[j]);
      max_scale = scales[j];
    }
  }
  return max_scale;
}

// Q3_K and Q6_K: re-quantizes each 16-value sub-block j against the scale it is decoded with, d·sub_scale(j),
// to quants 0..2·nmax−1 standing for −nmax..nmax−1. A sub-block whose scale is 0 keeps the quants of the fit.
template <typename SubScale>
void requantize_signed(const float* x, float d, int nmax, SubScale sub_scale, int8_t* L) {
  for (int j = 0; j < 16; ++j) {
    const float scale = d * static_cast<float>(sub_scale(j));
    if (scale == 0) continue;
    for (int l = 0; l < 16; ++l) {
      L[16 * j + l] = static_cast<int8_t>(std::clamp(nearest_int(x[16 * j + l] / scale), -nmax, nmax - 1) + nmax);
    }
  }
}

}  // namespace

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t n) {
  constexpr float kSubScaleMax = 15.f;
  constexpr kquant::ScaleSweep kSweep{-0.5f, 0.1f, 15, true};
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockQ2_K& block = y[b];
    uint8_t L[kQK_K];
    float scales[16];
    float mins[16];
    float max_scale = 0;  // scales are positive because the min is subtracted
    float max_min = 0;
    for (int j = 0; j < 16; ++j) {
      float weights[16];
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = kquant::fit_scale_and_min(16, 3, x + 16 * j, weights, kSweep, L + 16 * j, &mins[j]);
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }

    std::memset(block.scales, 0, sizeof(block.scales));
    block.d = f32_to_fp16(0.f);
    block.dmin = f32_to_fp16(0.f);
    if (max_scale > 0) {
      const float iscale = kSubScaleMax / max_scale;
      for (int j = 0; j < 16; ++j) block.scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
      block.d = f32_to_fp16(max_scale / kSubScaleMax);
    }
    if (max_min > 0) {
      const float iscale = kSubScaleMax / max_min;
      for (int j = 0; j < 16; ++j) block.scales[j] |= static_cast<uint8_t>(nearest_int(iscale * mins[j]) << 4);
      block.dmin = f32_to_fp16(max_min / kSubScaleMax);
    }

    for (int j = 0; j < 16; ++j) {
      const float d = fp16_to_f32(block.d) * static_cast<float>(block.scales[j] & 0xF);
      if (d == 0) continue;  // keeps the quants of the search
      const float dm = fp16_to_f32(block.dmin) * static_cast<float>(block.scales[j] >> 4);
      for (int l = 0; l < 16; ++l) {
        L[16 * j + l] = static_cast<uint8_t>(std::clamp(nearest_int((x[16 * j + l] + dm) / d), 0, 3));
      }
    }
    pack_two_bit_quants(L, block.qs);
  }
}

void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockQ3_K& block = y[b];
    int8_t L[kQK_K];
    float scales[16];
    const float max_scale = fit_signed_sub_scales(x, 4, kquant::fit_signed_scale_refined, scales, L);

    // 6-bit sub-scales stored +32: low nibbles in bytes 0-7 (two per byte), top 2 bits in bytes 8-11.
    std::memset(block.scales, 0, sizeof(block.scales));
    if (max_scale != 0) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < 16; ++j) {
        // ggml stores the rounded value in an int8_t before clamping.
        const auto truncated = static_cast<int8_t>(nearest_int(iscale * scales[j]));
        const int l = std::clamp<int>(truncated, -32, 31) + 32;
        if (j < 8) {
          block.scales[j] = static_cast<uint8_t>(l & 0xF);
        } else {
          block.scales[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
        }
        block.scales[8 + j % 4] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
      }
      block.d = f32_to_fp16(1 / iscale);
    } else {
      block.d = f32_to_fp16(0.f);
    }

    requantize_signed(x, fp16_to_f32(block.d), 4, [&block](int j) {
      const int low = j < 8 ? block.scales[j] & 0xF : block.scales[j - 8] >> 4;
      return (low | (((block.scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
    }, L);

    // Quants 0..7: bit 2 goes to hmask (element e: byte e % 32, bit e / 32), the low two bits to qs.
    std::memset(block.hmask, 0, sizeof(block.hmask));
    uint8_t low_bits[kQK_K];
    for (int e = 0; e < kQK_K; ++e) {
      if (L[e] > 3) block.hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
      low_bits[e] = static_cast<uint8_t>(L[e] & 3);
    }
    pack_two_bit_quants(low_bits, block.qs);
  }
}

namespace {

// Q4_K and Q5_K differ only in the quant range (nmax 15 / 31), the sweep, and how quants are packed.
template <typename Block>
void quantize_q4_k_or_q5_k(const float* x, Block& block, int nmax, const kquant::ScaleSweep& sweep, uint8_t* L) {
  float scales[8];
  float mins[8];
  float max_scale = 0;
  float max_min = 0;
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
    // Weight each value by its magnitude plus the sub-block's RMS, so large values matter more.
    const float rms = std::sqrt(sum_x2 / 32);
    float weights[32];
    for (int l = 0; l < 32; ++l) weights[l] = rms + std::fabs(xs[l]);
    scales[j] = kquant::fit_scale_and_min(32, nmax, xs, weights, sweep, L + 32 * j, &mins[j]);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }

  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  for (int j = 0; j < 8; ++j) {
    const auto ls = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_scale * scales[j])));
    const auto lm = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_min * mins[j])));
    if (j < 4) {
      block.scales[j] = ls;
      block.scales[j + 4] = lm;
    } else {
      block.scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
      block.scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      block.scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
  }
  block.d = f32_to_fp16(max_scale / 63.f);
  block.dmin = f32_to_fp16(max_min / 63.f);

  for (int j = 0; j < 8; ++j) {
    const KScaleMin packed = unpack_k4_scale_min(j, block.scales);
    const float d = fp16_to_f32(block.d) * static_cast<float>(packed.scale);
    if (d == 0) continue;
    const float dm = fp16_to_f32(block.dmin) * static_cast<float>(packed.min);
    for (int l = 0; l < 32; ++l) {
      L[32 * j + l] = static_cast<uint8_t>(std::clamp(nearest_int((x[32 * j + l] + dm) / d), 0, nmax));
    }
  }
}

}  // namespace

void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t n) {
  constexpr kquant::ScaleSweep kSweep{-1.f, 0.1f, 20, false};
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    uint8_t L[kQK_K];
    quantize_q4_k_or_q5_k(x, y[b], 15, kSweep, L);
    // 64-element chunk c: byte l holds element 64c + l (low nibble) and 64c + 32 + l (high nibble).
    for (int chunk = 0; chunk < 4; ++chunk) {
      for (int l = 0; l < 32; ++l) {
        y[b].qs[32 * chunk + l] = static_cast<uint8_t>(L[64 * chunk + l] | (L[64 * chunk + 32 + l] << 4));
      }
    }
  }
}

void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t n) {
  constexpr kquant::ScaleSweep kSweep{-0.5f, 0.1f, 15, false};
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    uint8_t L[kQK_K];
    quantize_q4_k_or_q5_k(x, y[b], 31, kSweep, L);
    // As Q4_K for the low nibbles; the fifth bit of sub-block j's element l is bit j of qh[l].
    std::memset(y[b].qh, 0, sizeof(y[b].qh));
    for (int chunk = 0; chunk < 4; ++chunk) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t low = L[64 * chunk + l];
        const uint8_t high = L[64 * chunk + 32 + l];
        y[b].qs[32 * chunk + l] = static_cast<uint8_t>((low & 0xF) | ((high & 0xF) << 4));
        y[b].qh[l] |= static_cast<uint8_t>(((low >> 4) << (2 * chunk)) | ((high >> 4) << (2 * chunk + 1)));
      }
    }
  }
}

void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockQ6_K& block = y[b];
    int8_t L[kQK_K];
    float scales[16];
    const float max_scale = fit_signed_sub_scales(x, 32, kquant::fit_signed_scale_swept, scales, L);
    if (std::fabs(max_scale) < kquant::kGroupMaxEps) {
      std::memset(&block, 0, sizeof(block));
      continue;
    }

    const float iscale = -128.f / max_scale;
    block.d = f32_to_fp16(1 / iscale);
    for (int j = 0; j < 16; ++j) block.scales[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[j])));
    requantize_signed(x, fp16_to_f32(block.d), 32, [&block](int j) { return block.scales[j]; }, L);

    // Per 128-element half: ql bytes 0-31 hold quarters 0 (low nibble) and 2 (high), bytes 32-63 quarters 1
    // and 3; qh byte l holds the top two bits of the four quarters' element l at bits 2k.
    for (int half = 0; half < 2; ++half) {
      const int8_t* values = L + 128 * half;
      uint8_t* ql = block.ql + 64 * half;
      uint8_t* qh = block.qh + 32 * half;
      for (int l = 0; l < 32; ++l) {
        ql[l] = static_cast<uint8_t>((values[l] & 0xF) | ((values[l + 64] & 0xF) << 4));
        ql[l + 32] = static_cast<uint8_t>((values[l + 32] & 0xF) | ((values[l + 96] & 0xF) << 4));
        qh[l] = static_cast<uint8_t>((values[l] >> 4) | ((values[l + 32] >> 4) << 2) | ((values[l + 64] >> 4) << 4) |
                                     ((values[l + 96] >> 4) << 6));
      }
    }
  }
}

}  // namespace hearth::quant
