#pragma once
// A matrix-vector kernel made of a table's panel kernels, kPanelRows rows at a time: the reference's gemv,
// and that of a table with no direct kernel for a format. Included by the scalar and NEON quant kernel files
// only (no x86 flags: see simd_kernels.h on inline code compiled with ISA flags).
#include <algorithm>
#include <vector>

#include "cpu/kernels.h"

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

}  // namespace hearth::cpu
