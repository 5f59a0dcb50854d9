#pragma once
// Every quantized weight format unpacked into panels of whole rows, the layout kernels.h lists for the scalar
// table: the reference, and the unpacking of tables whose dot kernels read that layout (NEON). Not for x86
// per-ISA files (see simd_kernels.h on inline code compiled with ISA flags).
#include <cstdint>

#include "cpu/kernels.h"

namespace hearth::cpu::row_panels {

// Row r of a whole-row panel whose blocks hold `block` values.
struct PanelRow {
  int8_t* q;
  float* d;
  float* m;
  int16_t* scales;
  int16_t* mins;
};

inline PanelRow panel_row(const WeightPanel& panel, int64_t r, int64_t block) {
  const int64_t n_in = panel.n_in;
  return {panel.q + r * n_in, panel.d + r * (n_in / block), panel.m + r * (n_in / block),
          panel.scales + r * (n_in / 32) * 16, panel.mins + r * (n_in / 16)};
}

void unpack_q4_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q4_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q5_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q5_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q8_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q2_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q3_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q4_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q5_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_q6_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_iq4_nl(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_iq4_xs(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
void unpack_mxfp4(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);

}  // namespace hearth::cpu::row_panels
