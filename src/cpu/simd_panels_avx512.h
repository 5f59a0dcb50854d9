#pragma once
// The matrix-matrix kernels of the AVX-512 table: simd_quant_x86.h's panels read 512 bits at a time.
//
// A 512-bit vector has 16 int32 lanes for the panel's 8 rows, so lane 2r + j holds word j of row r's next 8
// values. One 64-bit broadcast of 8 activation bytes then meets every row: a load, no shuffle and no sign
// fix-up, leaving VNNI's vpdpbusd (and maddubs + vpdpwssd for the scaled groups of the 256-value formats) as
// the only arithmetic per 64 byte products. The two lanes of a row are added once per block.
//
// Panel layout: simd_quant_x86.h's unpack kernels run first, then regroup_pairs turns q into
//   q: [n_in / 8][row][8 bytes], the values of signed formats shifted to unsigned by +128 (XOR 0x80)
// and leaves d, m, scales and mins as they are (duplicated per lane pair when used). vpdpbusd multiplies
// unsigned by signed bytes, so the signed 32-value formats subtract 128·Σx per block (QuantizedActivations::
// sums). The 256-value formats' values are unsigned already and at most 63, as maddubs needs, except IQ4_XS:
// shifted like the 32-value formats, its 128·scale per group joins the min term (iq4_xs_pairs_tile).
//
// The rules of simd_kernels.h hold: templates over X only, included by the AVX-512 translation unit only.
#include <immintrin.h>

#include <cstdint>

#include "cpu/kernels.h"
#include "cpu/simd_quant_x86.h"

namespace hearth::cpu::simd_x86 {

// Lane 2r + j ← lane r of an 8-row vector, for j = 0, 1.
template <class X>
__m512i duplicate_rows(__m256i rows) {
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7), _mm512_castsi256_si512(rows));
}

template <class X>
__m512 duplicate_rows(__m256 rows) {
  return _mm512_castsi512_ps(duplicate_rows<X>(_mm256_castps_si256(rows)));
}

// Both lanes of every row hold the sum of the two.
template <class X>
__m512i add_lane_pairs(__m512i v) {
  return _mm512_add_epi32(v, _mm512_shuffle_epi32(v, _MM_PERM_CDAB));
}

// Lane r ← lane 2r: one value per row again.
template <class X>
__m256i even_lanes(__m512i v) {
  return _mm512_cvtepi64_epi32(v);
}

// Eight activation bytes in every 64-bit lane: word j meets lane 2r + j of each row.
template <class X>
__m512i broadcast_8_bytes(const int8_t* p) {
  int64_t word;
  __builtin_memcpy(&word, p, 8);
  return _mm512_set1_epi64(word);
}

// simd_quant_x86.h's q, [n_in / 32][8 groups of 4 values][row][4 bytes], regrouped in place into
// [n_in / 8][row][8 bytes]: each 64 bytes hold groups 2p and 2p + 1 of the 8 rows, and the permutation puts a
// row's two words side by side.
template <class X, bool kSigned>
void regroup_pairs(const WeightPanel& panel) {
  const __m512i order = _mm512_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
  for (int64_t i = 0; i < kPanelRows * panel.n_in; i += 64) {
    __m512i v = _mm512_permutexvar_epi32(order, _mm512_loadu_si512(panel.q + i));
    if constexpr (kSigned) v = _mm512_xor_si512(v, _mm512_set1_epi8(static_cast<char>(0x80)));
    _mm512_storeu_si512(panel.q + i, v);
  }
}

// UnpackWeightsFn: simd_quant_x86.h's unpack kernel, then regroup_pairs.
template <class X, UnpackWeightsFn kUnpack, bool kSigned>
void unpack_pairs(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  kUnpack(rows, row_bytes, n_rows, panel);
  regroup_pairs<X, kSigned>(panel);
}

// kPanelRows × Tokens outputs of a 32-value format, as blocks32_tile: per block, the int32 row sums of w·x, then
// d_w·d_x·(w·x) (+ m·s) in float, on both lanes of each row.
template <class X, bool kSigned, bool kHasMin, int Tokens>
void blocks32_pairs_tile(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                         float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / 32;
  __m512 acc[Tokens];
  for (int t = 0; t < Tokens; ++t) acc[t] = _mm512_setzero_ps();
  const int8_t* xq = x.q + first_token * n_in;
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m512i sums[Tokens];
    for (int t = 0; t < Tokens; ++t) sums[t] = _mm512_setzero_si512();
    for (int pair = 0; pair < 4; ++pair) {
      const __m512i w = _mm512_loadu_si512(panel.q + 256 * b + 64 * pair);
      for (int t = 0; t < Tokens; ++t) {
        sums[t] = _mm512_dpbusd_epi32(sums[t], w, broadcast_8_bytes<X>(xq + t * n_in + 32 * b + 8 * pair));
      }
    }
    const __m512 dw = duplicate_rows<X>(_mm256_loadu_ps(panel.d + 8 * b));
    for (int t = 0; t < Tokens; ++t) {
      const int64_t x_block = (first_token + t) * n_blocks + b;
      __m512i total = add_lane_pairs<X>(sums[t]);
      if constexpr (kSigned) total = _mm512_sub_epi32(total, _mm512_set1_epi32(128 * x.sums[x_block]));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), _mm512_mul_ps(dw, _mm512_set1_ps(x.d[x_block])), acc[t]);
      if constexpr (kHasMin) {
        acc[t] = _mm512_fmadd_ps(duplicate_rows<X>(_mm256_loadu_ps(panel.m + 8 * b)), _mm512_set1_ps(x.s[x_block]), acc[t]);
      }
    }
  }
  for (int t = 0; t < Tokens; ++t) {
    store_rows<X>(_mm256_castsi256_ps(even_lanes<X>(_mm512_castps_si512(acc[t]))), n_rows, y + t * y_stride);
  }
}

// The super-block loop of the 256-value tiles: accumulate(b, sums) adds the int32 lanes of Σ scale·(w·x) over
// super-block b into sums[t]; the row sums then go to finish_super_block.
template <class X, MinTerm kMin, int Tokens, class Accumulate>
void super_blocks_pairs(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                        float* y, int64_t y_stride, Accumulate accumulate) {
  const int64_t n_blocks = panel.n_in / kQK_K;
  __m256 acc[Tokens];
  for (int t = 0; t < Tokens; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m512i sums[Tokens];
    for (int t = 0; t < Tokens; ++t) sums[t] = _mm512_setzero_si512();
    accumulate(b, sums);
    __m256i row_sums[Tokens];
    for (int t = 0; t < Tokens; ++t) row_sums[t] = even_lanes<X>(add_lane_pairs<X>(sums[t]));
    finish_super_block<X, kMin, Tokens>(panel, x, first_token, b, row_sums, acc);
  }
  for (int t = 0; t < Tokens; ++t) store_rows<X>(acc[t], n_rows, y + t * y_stride);
}

// kPanelRows × Tokens outputs of an unsigned 256-value format, as super_blocks_tile: maddubs, then vpdpwssd
// with the group's scale.
template <class X, MinTerm kMin, int Tokens>
void super_blocks_pairs_tile(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                             float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int8_t* xq = x.q + first_token * n_in;
  const auto accumulate = [=, &panel](int64_t b, __m512i (&sums)[Tokens]) {
    for (int group = 0; group < 16; ++group) {
      const __m512i scales = duplicate_rows<X>(load_bytes<X>(panel.scales + (16 * b + group) * 16));
      for (int half = 0; half < 2; ++half) {
        const int64_t value = kQK_K * b + 16 * group + 8 * half;
        const __m512i w = _mm512_loadu_si512(panel.q + 8 * value);
        for (int t = 0; t < Tokens; ++t) {
          sums[t] = _mm512_dpwssd_epi32(sums[t], _mm512_maddubs_epi16(w, broadcast_8_bytes<X>(xq + t * n_in + value)), scales);
        }
      }
    }
  };
  super_blocks_pairs<X, kMin, Tokens>(panel, n_rows, x, first_token, y, y_stride, accumulate);
}

// IQ4_XS after regroup_pairs: the +128 shift as a min of 128·scale per group of 16 (integer_offset against the
// activations' bsums), in the mins layout of simd_quant_x86.h ([super-block][8 pairs of groups][row][2]).
template <class X>
void unpack_iq4_xs_pairs(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_iq4_xs<X>(rows, row_bytes, n_rows, panel);
  regroup_pairs<X, true>(panel);
  for (int64_t b = 0; b < panel.n_in / kQK_K; ++b) {
    for (int pair = 0; pair < 8; ++pair) {
      for (int row = 0; row < kPanelRows; ++row) {
        for (int j = 0; j < 2; ++j) {
          const int16_t scale = panel.scales[(16 * b + 2 * pair + j) * 16 + 2 * row];
          panel.mins[(8 * b + pair) * 16 + 2 * row + j] = static_cast<int16_t>(128 * scale);
        }
      }
    }
  }
}

// kPanelRows × Tokens outputs of IQ4_XS: shifted values reach 241, too wide for maddubs, so each 32-value
// sub-block's vpdpbusd sums take its scale with one 32-bit multiply; then finish_super_block subtracts the
// shift as a min term.
template <class X, int Tokens>
void iq4_xs_pairs_tile(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token, float* y,
                       int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int8_t* xq = x.q + first_token * n_in;
  const auto accumulate = [=, &panel](int64_t b, __m512i (&sums)[Tokens]) {
    for (int sub_block = 0; sub_block < 8; ++sub_block) {
      // The scale pairs hold the scale in both int16 halves; the high half, sign-extended, is the scale.
      const __m512i scale = _mm512_srai_epi32(duplicate_rows<X>(load_bytes<X>(panel.scales + (16 * b + 2 * sub_block) * 16)), 16);
      __m512i part[Tokens];
      for (int t = 0; t < Tokens; ++t) part[t] = _mm512_setzero_si512();
      for (int pair = 0; pair < 4; ++pair) {
        const int64_t value = kQK_K * b + 32 * sub_block + 8 * pair;
        const __m512i w = _mm512_loadu_si512(panel.q + 8 * value);
        for (int t = 0; t < Tokens; ++t) part[t] = _mm512_dpbusd_epi32(part[t], w, broadcast_8_bytes<X>(xq + t * n_in + value));
      }
      for (int t = 0; t < Tokens; ++t) sums[t] = _mm512_add_epi32(sums[t], _mm512_mullo_epi32(part[t], scale));
    }
  };
  super_blocks_pairs<X, MinTerm::integer_offset, Tokens>(panel, n_rows, x, first_token, y, y_stride, accumulate);
}

template <class X, bool kSigned, bool kHasMin>
struct Blocks32Pairs {
  template <int Tokens>
  struct Tile {
    static void run(const WeightPanel& p, int64_t rows, const QuantizedActivations& x, int64_t t0, float* y, int64_t ys) {
      blocks32_pairs_tile<X, kSigned, kHasMin, Tokens>(p, rows, x, t0, y, ys);
    }
  };
};

template <class X, MinTerm kMin>
struct SuperBlocksPairs {
  template <int Tokens>
  struct Tile {
    static void run(const WeightPanel& p, int64_t rows, const QuantizedActivations& x, int64_t t0, float* y, int64_t ys) {
      super_blocks_pairs_tile<X, kMin, Tokens>(p, rows, x, t0, y, ys);
    }
  };
};

template <class X>
struct Iq4XsPairs {
  template <int Tokens>
  struct Tile {
    static void run(const WeightPanel& p, int64_t rows, const QuantizedActivations& x, int64_t t0, float* y, int64_t ys) {
      iq4_xs_pairs_tile<X, Tokens>(p, rows, x, t0, y, ys);
    }
  };
};

// Replaces the panel kernels that install_quant_tables put in `table` with the 512-bit ones.
template <class X>
void install_pair_panel_tables(Kernels& table) {
  const PanelDotFn signed32 = panel_dot<Blocks32Pairs<X, true, false>::template Tile>;
  const PanelDotFn unsigned32_min = panel_dot<Blocks32Pairs<X, false, true>::template Tile>;
  const PanelDotFn float_min256 = panel_dot<SuperBlocksPairs<X, MinTerm::float_min>::template Tile>;
  const PanelDotFn offset256 = panel_dot<SuperBlocksPairs<X, MinTerm::integer_offset>::template Tile>;

  set_panel_kernels<X>(table, WeightFormat::q4_0, unpack_pairs<X, unpack_q4_0<X>, true>, signed32);
  set_panel_kernels<X>(table, WeightFormat::q4_1, unpack_pairs<X, unpack_q4_1<X>, false>, unsigned32_min);
  set_panel_kernels<X>(table, WeightFormat::q5_0, unpack_pairs<X, unpack_q5_0<X>, true>, signed32);
  set_panel_kernels<X>(table, WeightFormat::q5_1, unpack_pairs<X, unpack_q5_1<X>, false>, unsigned32_min);
  set_panel_kernels<X>(table, WeightFormat::q8_0, unpack_pairs<X, unpack_q8_0<X>, true>, signed32);
  set_panel_kernels<X>(table, WeightFormat::q2_k, unpack_pairs<X, unpack_q2_k<X>, false>, float_min256);
  set_panel_kernels<X>(table, WeightFormat::q3_k, unpack_pairs<X, unpack_q3_k<X>, false>, offset256);
  set_panel_kernels<X>(table, WeightFormat::q4_k, unpack_pairs<X, unpack_q4_k_or_q5_k<X, BlockQ4_K, false>, false>, float_min256);
  set_panel_kernels<X>(table, WeightFormat::q5_k, unpack_pairs<X, unpack_q4_k_or_q5_k<X, BlockQ5_K, true>, false>, float_min256);
  set_panel_kernels<X>(table, WeightFormat::q6_k, unpack_pairs<X, unpack_q6_k<X>, false>, offset256);
  set_panel_kernels<X>(table, WeightFormat::iq4_nl, unpack_pairs<X, unpack_iq4_nl<X>, true>, signed32);
  set_panel_kernels<X>(table, WeightFormat::mxfp4, unpack_pairs<X, unpack_mxfp4<X>, true>, signed32);
  set_panel_kernels<X>(table, WeightFormat::iq4_xs, unpack_iq4_xs_pairs<X>, panel_dot<Iq4XsPairs<X>::template Tile>);
}

}  // namespace hearth::cpu::simd_x86
