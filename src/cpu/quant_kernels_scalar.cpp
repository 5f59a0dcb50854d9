// The scalar reference of the quantized linear kernels: the activation quantizers of spec/quants.md §5, the
// unpacking of every weight format into a WeightPanel and the dot products of §9 on it. Integer sums are
// exact; the float sums accumulate in double so the reference is more accurate than the kernels compared
// with it.
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "cpu/kernels_install.h"
#include "tensor/fp16.h"
#include "tensor/quantizers.h"
#include "tensor/quants.h"

namespace hearth::cpu {
namespace {

// ---------------------------------------------------------------- activations

// Runs quantize_block(values, q, block) for every kBlockElements-value block of the n_tokens rows of x, which
// land in rows first_token.. of `out`: q is where the block's quants go, block the index of its entries in
// out.d / out.s (and of its 16 sums in out.bsums).
template <int kBlockElements, typename QuantizeBlock>
void quantize_activation_blocks(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                                int64_t first_token, QuantizeBlock quantize_block) {
  const int64_t n_blocks = out.n_in / kBlockElements;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t row = first_token + t;
    for (int64_t b = 0; b < n_blocks; ++b) {
      quantize_block(x + t * x_stride + kBlockElements * b, out.q + row * out.n_in + kBlockElements * b, row * n_blocks + b);
    }
  }
}

void quantize_q8_0(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                   int64_t first_token) {
  quantize_activation_blocks<32>(x, x_stride, n_tokens, out, first_token, [&out](const float* values, int8_t* q, int64_t block) {
    BlockQ8_0 quantized;
    quantize_row_q8_0_activation(values, &quantized, 32);
    std::memcpy(q, quantized.qs, 32);
    out.d[block] = fp16_to_f32(quantized.d);
  });
}

void quantize_q8_1(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                   int64_t first_token) {
  quantize_activation_blocks<32>(x, x_stride, n_tokens, out, first_token, [&out](const float* values, int8_t* q, int64_t block) {
    BlockQ8_1 quantized;
    quantize_row_q8_1_activation(values, &quantized, 32);
    std::memcpy(q, quantized.qs, 32);
    out.d[block] = fp16_to_f32(quantized.d);
    out.s[block] = fp16_to_f32(quantized.s);
  });
}

void quantize_q8_k(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                   int64_t first_token) {
  quantize_activation_blocks<kQK_K>(x, x_stride, n_tokens, out, first_token, [&out](const float* values, int8_t* q, int64_t block) {
    BlockQ8_K quantized;
    quant::quantize_q8_k(values, &quantized, kQK_K);
    std::memcpy(q, quantized.qs, kQK_K);
    std::memcpy(out.bsums + block * 16, quantized.bsums, sizeof(quantized.bsums));
    out.d[block] = quantized.d;
  });
}

// ---------------------------------------------------------------- weight panels

// Row r of a panel.
struct PanelRow {
  int8_t* q;
  float* d;
  float* m;
  int16_t* scales;
  int16_t* mins;
};

PanelRow panel_row(const WeightPanel& panel, int64_t r, int64_t block) {
  const int64_t n_in = panel.n_in;
  return {panel.q + r * n_in, panel.d + r * (n_in / block), panel.m + r * (n_in / block),
          panel.scales + r * (n_in / 32) * 16, panel.mins + r * (n_in / 16)};
}

// Calls unpack_block(block, row, index) for every block of every row.
template <typename Block, int kBlockElements, typename UnpackBlock>
void unpack_rows(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel, UnpackBlock unpack_block) {
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* blocks = reinterpret_cast<const Block*>(static_cast<const uint8_t*>(rows) + r * row_bytes);
    const PanelRow row = panel_row(panel, r, kBlockElements);
    for (int64_t b = 0; b < panel.n_in / kBlockElements; ++b) unpack_block(blocks[b], row, b);
  }
}

// Sets the scale and min of 16-value group g (of the whole row) of a 256-value format.
void set_group(const PanelRow& row, int64_t g, int scale, int min) {
  for (int lane = 0; lane < 8; ++lane) row.scales[(g / 2) * 16 + (g % 2) * 8 + lane] = static_cast<int16_t>(scale);
  row.mins[g] = static_cast<int16_t>(min);
}

// The 32-value formats store element j of a block in the low nibble of byte j and element j+16 in its high
// nibble; value_of maps (nibble, element) to the integer value.
template <typename ValueOf>
void unpack_nibbles(const uint8_t* qs, int8_t* q, ValueOf value_of) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<int8_t>(value_of(qs[j] & 0xF, j));
    q[j + 16] = static_cast<int8_t>(value_of(qs[j] >> 4, j + 16));
  }
}

// The 6-bit sub-scales of Q3_K and IQ4_XS: stored +32, as a low nibble and two high bits.
int signed_six_bit_scale(int low_nibble, int high_two_bits) { return (low_nibble | (high_two_bits << 4)) - 32; }

uint32_t load_u32(const uint8_t* bytes) {
  uint32_t value;
  std::memcpy(&value, bytes, 4);
  return value;
}

void unpack_q4_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ4_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ4_0& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return nibble - 8; });
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_q4_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ4_1, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ4_1& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return nibble; });
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.m);
  });
}

void unpack_q5_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ5_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ5_0& block, const PanelRow& row, int64_t b) {
    const uint32_t high = load_u32(block.qh);
    unpack_nibbles(block.qs, row.q + 32 * b, [high](int nibble, int j) { return (nibble | (((high >> j) & 1) << 4)) - 16; });
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_q5_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ5_1, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ5_1& block, const PanelRow& row, int64_t b) {
    const uint32_t high = load_u32(block.qh);
    unpack_nibbles(block.qs, row.q + 32 * b, [high](int nibble, int j) { return nibble | (((high >> j) & 1) << 4); });
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.m);
  });
}

void unpack_q8_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ8_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ8_0& block, const PanelRow& row, int64_t b) {
    std::memcpy(row.q + 32 * b, block.qs, 32);
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_iq4_nl(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockIQ4_NL, 32>(rows, row_bytes, n_rows, panel, [](const BlockIQ4_NL& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return kIq4nlValues[nibble]; });
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_mxfp4(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockMxfp4, 32>(rows, row_bytes, n_rows, panel, [](const BlockMxfp4& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return kMxfp4Values[nibble]; });
    row.d[b] = e8m0_to_f32_half(block.e);
  });
}

// Values 0..3, scale (low nibble) and min (high nibble) per 16 values, in dequantize_row's element order.
void unpack_q2_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ2_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ2_K& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int half = 0; half < 2; ++half) {
      for (int pass = 0; pass < 4; ++pass) {
        for (int l = 0; l < 32; ++l) q[128 * half + 32 * pass + l] = static_cast<int8_t>((block.qs[32 * half + l] >> (2 * pass)) & 3);
      }
    }
    for (int g = 0; g < 16; ++g) set_group(row, 16 * b + g, block.scales[g] & 0xF, block.scales[g] >> 4);
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.dmin);
  });
}

// Values 0..7 standing for −4..3: the offset becomes a min of 4·scale with m = d.
void unpack_q3_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ3_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ3_K& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int half = 0; half < 2; ++half) {
      for (int pass = 0; pass < 4; ++pass) {
        for (int l = 0; l < 32; ++l) {
          const int low = (block.qs[32 * half + l] >> (2 * pass)) & 3;
          const int high = (block.hmask[l] >> (4 * half + pass)) & 1;
          q[128 * half + 32 * pass + l] = static_cast<int8_t>(low | (high << 2));
        }
      }
    }
    for (int g = 0; g < 16; ++g) {
      const int low = g < 8 ? block.scales[g] & 0xF : block.scales[g - 8] >> 4;
      const int high = (block.scales[8 + g % 4] >> (2 * (g / 4))) & 3;
      const int scale = signed_six_bit_scale(low, high);
      set_group(row, 16 * b + g, scale, 4 * scale);
    }
    row.d[b] = row.m[b] = fp16_to_f32(block.d);
  });
}

template <typename Block, bool kHasHighBit>
void unpack_q4_k_or_q5_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<Block, kQK_K>(rows, row_bytes, n_rows, panel, [](const Block& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int sub_block = 0; sub_block < 8; ++sub_block) {
      const uint8_t* qs = block.qs + 32 * (sub_block / 2);
      for (int l = 0; l < 32; ++l) {
        int value = (qs[l] >> (4 * (sub_block % 2))) & 0xF;
        if constexpr (kHasHighBit) value |= ((block.qh[l] >> sub_block) & 1) << 4;
        q[32 * sub_block + l] = static_cast<int8_t>(value);
      }
      const KScaleMin packed = unpack_k4_scale_min(sub_block, block.scales);
      set_group(row, 16 * b + 2 * sub_block, packed.scale, packed.min);
      set_group(row, 16 * b + 2 * sub_block + 1, packed.scale, packed.min);
    }
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.dmin);
  });
}

// Values 0..63 standing for −32..31: the offset becomes a min of 32·scale with m = d.
void unpack_q6_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ6_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ6_K& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = block.ql + 64 * half;
      const uint8_t* qh = block.qh + 32 * half;
      for (int k = 0; k < 4; ++k) {
        for (int l = 0; l < 32; ++l) {
          const int low = (ql[l + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xF;
          const int high = (qh[l] >> (2 * k)) & 3;
          q[128 * half + 32 * k + l] = static_cast<int8_t>(low | (high << 4));
        }
      }
    }
    for (int g = 0; g < 16; ++g) set_group(row, 16 * b + g, block.scales[g], 32 * block.scales[g]);
    row.d[b] = row.m[b] = fp16_to_f32(block.d);
  });
}

void unpack_iq4_xs(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockIQ4_XS, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockIQ4_XS& block, const PanelRow& row, int64_t b) {
    for (int sub_block = 0; sub_block < 8; ++sub_block) {
      unpack_nibbles(block.qs + 16 * sub_block, row.q + kQK_K * b + 32 * sub_block,
                     [](int nibble, int) { return kIq4nlValues[nibble]; });
      const int low = (block.scales_l[sub_block / 2] >> (4 * (sub_block % 2))) & 0xF;
      const int high = (block.scales_h >> (2 * sub_block)) & 3;
      const int scale = signed_six_bit_scale(low, high);
      set_group(row, 16 * b + 2 * sub_block, scale, 0);
      set_group(row, 16 * b + 2 * sub_block + 1, scale, 0);
    }
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = 0.0f;
  });
}

// ---------------------------------------------------------------- dot products

int32_t int_dot(const int8_t* a, const int8_t* b, int n) {
  int32_t sum = 0;
  for (int i = 0; i < n; ++i) sum += static_cast<int32_t>(a[i]) * b[i];
  return sum;
}

// Σ_blocks d_w·d_x·Σ w·x (+ m_w·s_x for Q4_1 / Q5_1).
template <bool kHasMin>
void dot_blocks32(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                  int64_t n_tokens, float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / 32;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t token = first_token + t;
    for (int64_t r = 0; r < n_rows; ++r) {
      const PanelRow row = panel_row(panel, r, 32);
      double sum = 0.0;
      for (int64_t b = 0; b < n_blocks; ++b) {
        const int32_t products = int_dot(row.q + 32 * b, x.q + token * n_in + 32 * b, 32);
        sum += static_cast<double>(row.d[b] * x.d[token * n_blocks + b]) * products;
        if constexpr (kHasMin) sum += static_cast<double>(row.m[b] * x.s[token * n_blocks + b]);
      }
      y[t * y_stride + r] = static_cast<float>(sum);
    }
  }
}

// Σ_super-blocks d_x·(d_w·Σ_g scale_g·Σ w·x − m_w·Σ_g min_g·bsums_g).
void dot_super_blocks(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                      int64_t n_tokens, float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / kQK_K;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t token = first_token + t;
    for (int64_t r = 0; r < n_rows; ++r) {
      const PanelRow row = panel_row(panel, r, kQK_K);
      double sum = 0.0;
      for (int64_t b = 0; b < n_blocks; ++b) {
        int64_t scaled = 0, min_terms = 0;
        for (int64_t g = 16 * b; g < 16 * b + 16; ++g) {
          const int32_t products = int_dot(row.q + 16 * g, x.q + token * n_in + 16 * g, 16);
          scaled += static_cast<int64_t>(row.scales[(g / 2) * 16 + (g % 2) * 8]) * products;
          min_terms += static_cast<int64_t>(row.mins[g]) * x.bsums[token * (n_in / 16) + g];
        }
        const double d_x = x.d[token * n_blocks + b];
        sum += d_x * (static_cast<double>(row.d[b]) * static_cast<double>(scaled) -
                      static_cast<double>(row.m[b]) * static_cast<double>(min_terms));
      }
      y[t * y_stride + r] = static_cast<float>(sum);
    }
  }
}

// The matrix-vector kernel of the reference: the panel kernels, kPanelRows rows at a time.
template <UnpackWeightsFn kUnpack, PanelDotFn kDot>
void gemv_through_panel(const void* rows, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x,
                        int64_t first_token, int64_t n_tokens, float* y, int64_t y_stride) {
  const int64_t n_in = x.n_in;
  thread_local std::vector<int8_t> q;
  thread_local std::vector<float> d, m;
  thread_local std::vector<int16_t> scales, mins;
  q.resize(kPanelRows * n_in);
  d.resize(kPanelRows * n_in / 32);
  m.resize(kPanelRows * n_in / 32);
  scales.resize(kPanelRows * n_in / 2);
  mins.resize(kPanelRows * n_in / 16);
  const WeightPanel panel{q.data(), d.data(), m.data(), scales.data(), mins.data(), n_in};
  for (int64_t r = 0; r < n_rows; r += kPanelRows) {
    const int64_t panel_rows = std::min(kPanelRows, n_rows - r);
    kUnpack(static_cast<const uint8_t*>(rows) + r * row_bytes, row_bytes, panel_rows, panel);
    for (int64_t t = 0; t < n_tokens; t += kPanelTokens) {
      kDot(panel, panel_rows, x, first_token + t, std::min(kPanelTokens, n_tokens - t), y + t * y_stride + r, y_stride);
    }
  }
}

template <UnpackWeightsFn kUnpack, PanelDotFn kDot>
constexpr QuantLinearKernels entry() {
  return {kUnpack, kDot, gemv_through_panel<kUnpack, kDot>};
}

}  // namespace

void install_scalar_quant_kernels(Kernels& table) {
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_0)] = quantize_q8_0;
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_1)] = quantize_q8_1;
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_k)] = quantize_q8_k;
  const auto set = [&table](WeightFormat format, QuantLinearKernels kernels) { table.quant_linear[quant_index(format)] = kernels; };
  set(WeightFormat::q4_0, entry<unpack_q4_0, dot_blocks32<false>>());
  set(WeightFormat::q4_1, entry<unpack_q4_1, dot_blocks32<true>>());
  set(WeightFormat::q5_0, entry<unpack_q5_0, dot_blocks32<false>>());
  set(WeightFormat::q5_1, entry<unpack_q5_1, dot_blocks32<true>>());
  set(WeightFormat::q8_0, entry<unpack_q8_0, dot_blocks32<false>>());
  set(WeightFormat::q2_k, entry<unpack_q2_k, dot_super_blocks>());
  set(WeightFormat::q3_k, entry<unpack_q3_k, dot_super_blocks>());
  set(WeightFormat::q4_k, entry<unpack_q4_k_or_q5_k<BlockQ4_K, false>, dot_super_blocks>());
  set(WeightFormat::q5_k, entry<unpack_q4_k_or_q5_k<BlockQ5_K, true>, dot_super_blocks>());
  set(WeightFormat::q6_k, entry<unpack_q6_k, dot_super_blocks>());
  set(WeightFormat::iq4_nl, entry<unpack_iq4_nl, dot_blocks32<false>>());
  set(WeightFormat::iq4_xs, entry<unpack_iq4_xs, dot_super_blocks>());
  set(WeightFormat::mxfp4, entry<unpack_mxfp4, dot_blocks32<false>>());
}

}  // namespace hearth::cpu
