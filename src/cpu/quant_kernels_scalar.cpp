// The scalar reference of the quantized linear kernels: the activation quantizers of spec/quants.md §5 and the
// dot products of §9 on the whole-row panels of quant_unpack.h. Integer sums are
// exact; the float sums accumulate in double so the reference is more accurate than the kernels compared
// with it.
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "cpu/kernels_install.h"
#include "cpu/quant_unpack.h"
#include "cpu/row_panel_kernels.h"
#include "tensor/fp16.h"
#include "tensor/quantizers.h"
#include "tensor/quants.h"

namespace hearth::cpu {
namespace {

using row_panels::panel_row;
using row_panels::PanelRow;

// ---------------------------------------------------------------- activations

// Runs quantize_block(values, q, block) for every kBlockElements-value block of the n_tokens rows of x, which
// land in rows first_token.. of `out`: q is where the block's quants go, block the index of its entries in
// out.d / out.s / out.sums (and of its 16 sums in out.bsums).
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

int32_t sum_of_quants(const int8_t (&qs)[32]) {
  int32_t sum = 0;
  for (const int8_t q : qs) sum += q;
  return sum;
}

void quantize_q8_0(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                   int64_t first_token) {
  quantize_activation_blocks<32>(x, x_stride, n_tokens, out, first_token, [&out](const float* values, int8_t* q, int64_t block) {
    BlockQ8_0 quantized;
    quantize_row_q8_0_activation(values, &quantized, 32);
    std::memcpy(q, quantized.qs, 32);
    out.d[block] = fp16_to_f32(quantized.d);
    out.sums[block] = sum_of_quants(quantized.qs);
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
    out.sums[block] = sum_of_quants(quantized.qs);
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

}  // namespace

void install_scalar_quant_kernels(Kernels& table) {
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_0)] = quantize_q8_0;
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_1)] = quantize_q8_1;
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_k)] = quantize_q8_k;
  install_row_panel_kernels<dot_blocks32<false>, dot_blocks32<true>, dot_super_blocks>(table);
}

}  // namespace hearth::cpu
