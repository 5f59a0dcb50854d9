#pragma once
// The quantized linear entries of a table whose dot kernels read the whole-row panels of quant_unpack.h: a
// matrix-vector kernel made of the panel kernels, kPanelRows rows at a time, and the install of every format.
// Included by the scalar and NEON quant kernel files only (no x86 flags: see simd_kernels.h on inline code
// compiled with ISA flags).
#include <algorithm>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/quant_unpack.h"

namespace hearth::cpu {

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
constexpr QuantLinearKernels through_panel() {
  return {kUnpack, kDot, gemv_through_panel<kUnpack, kDot>};
}

// Every quantized format's unpack, dot and gemv entries from a table's three panel dot kernels: 32-value
// blocks without a min term, 32-value blocks with one (Q4_1, Q5_1), and 256-value super-blocks.
template <PanelDotFn kBlocks32, PanelDotFn kBlocks32WithMin, PanelDotFn kSuperBlocks>
void install_row_panel_kernels(Kernels& table) {
  using namespace row_panels;
  const auto set = [&table](WeightFormat format, QuantLinearKernels kernels) { table.quant_linear[quant_index(format)] = kernels; };
  set(WeightFormat::q4_0, through_panel<unpack_q4_0, kBlocks32>());
  set(WeightFormat::q4_1, through_panel<unpack_q4_1, kBlocks32WithMin>());
  set(WeightFormat::q5_0, through_panel<unpack_q5_0, kBlocks32>());
  set(WeightFormat::q5_1, through_panel<unpack_q5_1, kBlocks32WithMin>());
  set(WeightFormat::q8_0, through_panel<unpack_q8_0, kBlocks32>());
  set(WeightFormat::q2_k, through_panel<unpack_q2_k, kSuperBlocks>());
  set(WeightFormat::q3_k, through_panel<unpack_q3_k, kSuperBlocks>());
  set(WeightFormat::q4_k, through_panel<unpack_q4_k, kSuperBlocks>());
  set(WeightFormat::q5_k, through_panel<unpack_q5_k, kSuperBlocks>());
  set(WeightFormat::q6_k, through_panel<unpack_q6_k, kSuperBlocks>());
  set(WeightFormat::iq4_nl, through_panel<unpack_iq4_nl, kBlocks32>());
  set(WeightFormat::iq4_xs, through_panel<unpack_iq4_xs, kSuperBlocks>());
  set(WeightFormat::mxfp4, through_panel<unpack_mxfp4, kBlocks32>());
}

}  // namespace hearth::cpu
