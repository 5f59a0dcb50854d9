#pragma once
// Matrix-vector kernels on interleaved groups of 8 rows (interleaved_weights.h) for x86 with 256-bit integer
// vectors, under the rules of simd_quant_x86.h (templates over X only, no standard library code).
//
// One 256-bit load carries a 4-byte granule of each row of the group, one row per 32-bit lane; the matching
// 4 activation bytes are broadcast to every lane, so maddubs leaves each row's products in its own lane and a
// group ends in one vector of 8 outputs, without horizontal sums. Block scales are decoded once per block for
// all 8 rows into per-lane vectors. Products of the same scale add up in int16 before one madd applies the
// scale: 8 granules of 4-bit values (8·2·15·127 < 2¹⁵; the activations are Q8_0 / Q8_K, |x| ≤ 127). The integer sums per row are those of the row kernels; only the order of the
// float additions differs.
#include <immintrin.h>

#include <cstdint>

#include "cpu/kernels.h"
#include "cpu/simd_quant_x86.h"
#include "tensor/blocks.h"

namespace hearth::cpu::simd_x86 {

// Requests the lines of the block kAheadBytes ahead: a thread streams its groups front to back, and its
// hardware prefetchers alone keep too few lines in flight (simd_gemv_x86.h).
template <class X, int64_t kBlockBytes, int64_t kAheadBytes>
void prefetch_group_block(const uint8_t* block) {
#pragma GCC unroll 32
  for (int64_t offset = 0; offset < kBlockBytes; offset += 64) _mm_prefetch(reinterpret_cast<const char*>(block + kAheadBytes + offset), _MM_HINT_T0);
}

// `bytes` holds one byte per row at qword `q` (rows 0-7); returns int16 lanes 2r and 2r+1 = that byte of row r,
// zero-extended.
template <class X>
__m256i row_bytes_as_pairs(__m256i bytes, int q) {
  const __m256i rows_by_half = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(2 * q, 2 * q, 2 * q, 2 * q, 2 * q + 1, 2 * q + 1, 2 * q + 1, 2 * q + 1));
  const __m128i duplicate = _mm_setr_epi8(0, -128, 0, -128, 1, -128, 1, -128, 2, -128, 2, -128, 3, -128, 3, -128);
  return _mm256_shuffle_epi8(rows_by_half, _mm256_set_m128i(duplicate, duplicate));
}

// ---------------------------------------------------------------- 32-value formats
// Group block (8 × the format's block): d[8] (fp16), then the quants as 4-byte granules [granule][row][4 bytes].

// The block loop of the 32-value group kernels: block_sums(block, b, sums) leaves in sums[g][t] the int32 row
// sums of w·x over block b of each of the Groups groups (block[g] points at it); each row then adds
// d_w·d_x times its sum.
template <class X, int Tokens, int Groups, int64_t kBlockBytes, int64_t kAheadBlocks, class BlockSums>
void gemv_blocks32_groups(const uint8_t* first_group, int64_t group_step, int64_t n_blocks, const QuantizedActivations& x,
                          int64_t first_token, float* y, int64_t y_group_step, int64_t y_stride, BlockSums block_sums) {
  __m256 acc[Groups][Tokens];
  for (int g = 0; g < Groups; ++g) {
    for (int t = 0; t < Tokens; ++t) acc[g][t] = _mm256_setzero_ps();
  }
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* block[Groups];
    for (int g = 0; g < Groups; ++g) {
      block[g] = first_group + g * group_step + b * kBlockBytes;
      prefetch_group_block<X, kBlockBytes, kAheadBlocks * kBlockBytes>(block[g]);
    }
    __m256i sums[Groups][Tokens];
    block_sums(block, b, sums);
    for (int t = 0; t < Tokens; ++t) {
      const __m256 dx = _mm256_set1_ps(x.d[(first_token + t) * n_blocks + b]);
      for (int g = 0; g < Groups; ++g) {
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block[g])));
        acc[g][t] = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(sums[g][t]), acc[g][t]);
      }
    }
  }
  for (int g = 0; g < Groups; ++g) {
    for (int t = 0; t < Tokens; ++t) _mm256_storeu_ps(y + g * y_group_step + t * y_stride, acc[g][t]);
  }
}

// Q4_0: granule k holds qs[4k..+3]; low nibbles are values 4k.., high nibbles values 16 + 4k.. . Values 0..15
// stand for −8..7: the offset is subtracted as 8·Σx (the activations' block sums), the same for every row.
template <class X, int Tokens, int Groups>
void gemv_q4_0_groups(const uint8_t* first_group, int64_t group_step, int64_t n_blocks, const QuantizedActivations& x,
                      int64_t first_token, float* y, int64_t y_group_step, int64_t y_stride) {
  const int64_t n_in = x.n_in;
  const __m256i low4 = _mm256_set1_epi8(0x0F), one_words = _mm256_set1_epi16(1);
  const auto block_sums = [=, &x](const uint8_t* const (&block)[Groups], int64_t b, __m256i (&sums)[Groups][Tokens]) {
    __m256i partial[Groups][Tokens];
    for (int g = 0; g < Groups; ++g) {
      for (int t = 0; t < Tokens; ++t) partial[g][t] = _mm256_setzero_si256();
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      for (int g = 0; g < Groups; ++g) {
        const __m256i packed = load_bytes<X>(block[g] + 16 + 32 * k);
        const __m256i low = _mm256_and_si256(packed, low4);
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
        for (int t = 0; t < Tokens; ++t) {
          const int8_t* xq = x.q + (first_token + t) * n_in + 32 * b + 4 * k;
          partial[g][t] = _mm256_add_epi16(partial[g][t], _mm256_maddubs_epi16(low, broadcast_4_bytes<X>(xq)));
          partial[g][t] = _mm256_add_epi16(partial[g][t], _mm256_maddubs_epi16(high, broadcast_4_bytes<X>(xq + 16)));
        }
      }
    }
    for (int t = 0; t < Tokens; ++t) {
      const __m256i offset = _mm256_set1_epi32(8 * x.sums[(first_token + t) * n_blocks + b]);
      for (int g = 0; g < Groups; ++g) sums[g][t] = _mm256_sub_epi32(_mm256_madd_epi16(partial[g][t], one_words), offset);
    }
  };
  constexpr int64_t kBlockBytes = kInterleaveRows * sizeof(BlockQ4_0);
  gemv_blocks32_groups<X, Tokens, Groups, kBlockBytes, 14>(first_group, group_step, n_blocks, x, first_token, y, y_group_step,
                                                          y_stride, block_sums);
}

// Q8_0: granule k holds qs[4k..+3]. Signed by signed bytes as in the row kernels: |w| against x with the sign
// of w.
template <class X, int Tokens, int Groups>
void gemv_q8_0_groups(const uint8_t* first_group, int64_t group_step, int64_t n_blocks, const QuantizedActivations& x,
                      int64_t first_token, float* y, int64_t y_group_step, int64_t y_stride) {
  const int64_t n_in = x.n_in;
  const auto block_sums = [=, &x](const uint8_t* const (&block)[Groups], int64_t b, __m256i (&sums)[Groups][Tokens]) {
    for (int g = 0; g < Groups; ++g) {
      for (int t = 0; t < Tokens; ++t) sums[g][t] = _mm256_setzero_si256();
    }
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) {
      for (int g = 0; g < Groups; ++g) {
        const __m256i w = load_bytes<X>(block[g] + 16 + 32 * k);
        const __m256i w_magnitude = _mm256_sign_epi8(w, w);
        for (int t = 0; t < Tokens; ++t) {
          const __m256i xb = broadcast_4_bytes<X>(x.q + (first_token + t) * n_in + 32 * b + 4 * k);
          sums[g][t] = _mm256_add_epi32(sums[g][t], X::dot_u8i8(w_magnitude, _mm256_sign_epi8(xb, w)));
        }
      }
    }
  };
  constexpr int64_t kBlockBytes = kInterleaveRows * sizeof(BlockQ8_0);
  gemv_blocks32_groups<X, Tokens, Groups, kBlockBytes, 8>(first_group, group_step, n_blocks, x, first_token, y, y_group_step,
                                                         y_stride, block_sums);
}

// ---------------------------------------------------------------- Q4_K
// Group block (8 × 144 bytes): d[8], dmin[8] (fp16), the 12 packed scale bytes [byte][row], then the quants
// as 32 granules [granule][row][4 bytes]; granule 8c + k holds qs[32c + 4k..+3]: low nibbles are values
// 64c + 4k.., high nibbles values 64c + 32 + 4k.. .

template <class X, int Tokens, int Groups>
void gemv_q4_k_groups(const uint8_t* first_group, int64_t group_step, int64_t n_blocks, const QuantizedActivations& x,
                      int64_t first_token, float* y, int64_t y_group_step, int64_t y_stride) {
  constexpr int64_t kBlockBytes = kInterleaveRows * sizeof(BlockQ4_K);
  const int64_t n_in = x.n_in;
  const __m256i low4 = _mm256_set1_epi8(0x0F), low6 = _mm256_set1_epi8(0x3F), bits45 = _mm256_set1_epi8(0x30);
  __m256 acc[Groups][Tokens];
  for (int g = 0; g < Groups; ++g) {
    for (int t = 0; t < Tokens; ++t) acc[g][t] = _mm256_setzero_ps();
  }
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m256i bsum_pairs[Tokens];
    for (int t = 0; t < Tokens; ++t) {
      const __m256i bsums = load_bytes<X>(x.bsums + ((first_token + t) * n_blocks + b) * 16);
      bsum_pairs[t] = _mm256_hadd_epi16(bsums, bsums);  // per half: the 4 sums of 32 values, twice
    }
    const uint8_t* block[Groups];
    __m256i scales[Groups][2];
    __m256i min_sums[Groups][Tokens];
    for (int g = 0; g < Groups; ++g) {
      block[g] = first_group + g * group_step + b * kBlockBytes;
      // The six-bit scales and mins of the 8 sub-blocks (k4_scales_mins, 8 rows at once): [sub-block][row].
      const __m256i v0 = load_bytes<X>(block[g] + 32), v1 = load_bytes<X>(block[g] + 64), v2 = load_bytes<X>(block[g] + 96);
      scales[g][0] = _mm256_and_si256(v0, low6);
      scales[g][1] = _mm256_or_si256(_mm256_and_si256(v2, low4), _mm256_and_si256(_mm256_srli_epi16(v0, 2), bits45));
      const __m256i mins[2] = {_mm256_and_si256(v1, low6),
                               _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v2, 4), low4), _mm256_and_si256(_mm256_srli_epi16(v1, 2), bits45))};
      // Σ_j min_j·(bsum_2j + bsum_2j+1), two sub-blocks per madd: lanes 2r, 2r+1 = mins of sub-blocks 2p, 2p+1.
      for (int t = 0; t < Tokens; ++t) min_sums[g][t] = _mm256_setzero_si256();
      for (int p = 0; p < 4; ++p) {
        const int q = 2 * (p % 2);
        const __m256i by_half = _mm256_permutevar8x32_epi32(mins[p / 2], _mm256_setr_epi32(2 * q, 2 * q + 2, 0, 0, 2 * q + 1, 2 * q + 3, 0, 0));
        const __m128i pair = _mm_setr_epi8(0, -128, 4, -128, 1, -128, 5, -128, 2, -128, 6, -128, 3, -128, 7, -128);
        const __m256i min_pairs = _mm256_shuffle_epi8(by_half, _mm256_set_m128i(pair, pair));
        const int word = p < 2 ? p : p + 2;  // the two sums of sub-blocks 2p, 2p+1 in bsum_pairs
        for (int t = 0; t < Tokens; ++t) {
          const __m256i sums = _mm256_permutevar8x32_epi32(bsum_pairs[t], _mm256_set1_epi32(word));
          min_sums[g][t] = _mm256_add_epi32(min_sums[g][t], _mm256_madd_epi16(min_pairs, sums));
        }
      }
    }
    __m256i sums[Groups][Tokens];
    for (int g = 0; g < Groups; ++g) {
      for (int t = 0; t < Tokens; ++t) sums[g][t] = _mm256_setzero_si256();
    }
    for (int c = 0; c < 4; ++c) {
      __m256i low_sums[Groups][Tokens], high_sums[Groups][Tokens];
      for (int g = 0; g < Groups; ++g) {
        for (int t = 0; t < Tokens; ++t) low_sums[g][t] = high_sums[g][t] = _mm256_setzero_si256();
      }
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) {
        for (int g = 0; g < Groups; ++g) {
          // One line of the block four ahead per step: requesting all 18 lines at the start of each block,
          // two blocks ahead, ran 11% slower from DRAM (Zen 3, alternating runs, 25.6 against 28.7 GB/s).
          // Into L2 (T1), not L1: on an AVX-512 Xeon the T0 requests held one core to 11 GB/s against 13.6
          // and E2B Q4_K_M decode to 12.4-13.0 t/s against 14.3-14.8 (alternating runs).
          if (64 * (8 * c + k) < kBlockBytes) _mm_prefetch(reinterpret_cast<const char*>(block[g] + 4 * kBlockBytes + 64 * (8 * c + k)), _MM_HINT_T1);
          const __m256i packed = load_bytes<X>(block[g] + 128 + 32 * (8 * c + k));
          const __m256i low = _mm256_and_si256(packed, low4);
          const __m256i high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
          for (int t = 0; t < Tokens; ++t) {
            const int8_t* xq = x.q + (first_token + t) * n_in + kQK_K * b + 64 * c + 4 * k;
            low_sums[g][t] = _mm256_add_epi16(low_sums[g][t], _mm256_maddubs_epi16(low, broadcast_4_bytes<X>(xq)));
            high_sums[g][t] = _mm256_add_epi16(high_sums[g][t], _mm256_maddubs_epi16(high, broadcast_4_bytes<X>(xq + 32)));
          }
        }
      }
      for (int g = 0; g < Groups; ++g) {
        const __m256i low_scales = row_bytes_as_pairs<X>(scales[g][c / 2], 2 * c % 4);
        const __m256i high_scales = row_bytes_as_pairs<X>(scales[g][c / 2], (2 * c + 1) % 4);
        for (int t = 0; t < Tokens; ++t) {
          sums[g][t] = _mm256_add_epi32(sums[g][t], _mm256_add_epi32(_mm256_madd_epi16(low_sums[g][t], low_scales),
                                                                     _mm256_madd_epi16(high_sums[g][t], high_scales)));
        }
      }
    }
    for (int g = 0; g < Groups; ++g) {
      const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block[g])));
      const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block[g] + 16)));
      for (int t = 0; t < Tokens; ++t) {
        const __m256 dx = _mm256_set1_ps(x.d[(first_token + t) * n_blocks + b]);
        acc[g][t] = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(sums[g][t]), acc[g][t]);
        acc[g][t] = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, dx), _mm256_cvtepi32_ps(min_sums[g][t]), acc[g][t]);
      }
    }
  }
  for (int g = 0; g < Groups; ++g) {
    for (int t = 0; t < Tokens; ++t) _mm256_storeu_ps(y + g * y_group_step + t * y_stride, acc[g][t]);
  }
}

// ---------------------------------------------------------------- dispatch

// A format's kernel over Groups groups read side by side (group_step bytes apart, outputs y_group_step floats
// apart), and kStreams, the groups each call reads for one token.
template <class X, int Tokens, int Groups>
struct Q4_0Groups {
  static constexpr int64_t kBlockValues = 32;
  // Two far-apart groups per call (AVX-512 Xeon, two alternating runs): 1×16384×4096 read 34.0-34.3 GB/s
  // against 27.9-29.1, 1×4096² 31.7-31.8 against 25.2-27.8; the AVX2 table 31.9 against 27.6.
  static constexpr int kStreams = 2;
  static void run(const uint8_t* first, int64_t group_step, int64_t n, const QuantizedActivations& x, int64_t t0, float* y,
                  int64_t y_group_step, int64_t ys) {
    gemv_q4_0_groups<X, Tokens, Groups>(first, group_step, n, x, t0, y, y_group_step, ys);
  }
};

template <class X, int Tokens, int Groups>
struct Q8_0Groups {
  static constexpr int64_t kBlockValues = 32;
  // Against the row kernel's four far-apart rows (Zen 5, 2 threads): 1×16384×4096 read 76 GB/s against 56
  // (the probe: 49), and E2B Q8_0 decode ran 18.7 t/s against 16.7 on average over 6 alternating pairs.
  static constexpr int kStreams = 2;
  static void run(const uint8_t* first, int64_t group_step, int64_t n, const QuantizedActivations& x, int64_t t0, float* y,
                  int64_t y_group_step, int64_t ys) {
    gemv_q8_0_groups<X, Tokens, Groups>(first, group_step, n, x, t0, y, y_group_step, ys);
  }
};

template <class X, int Tokens, int Groups>
struct Q4_KGroups {
  static constexpr int64_t kBlockValues = kQK_K;
  // Two far-apart groups per call (AVX-512 Xeon, alternating runs): one core read 16.1 GB/s against 12.8,
  // two cores 30.1-31.4 against 25.9-26.5 on 1×16384×4096, and E2B Q4_K_M decode ran 17.1-17.7 t/s against
  // 14.4-15.5. The AVX2 table, whose 16 registers spill some of the second group's state, gained as much on
  // that machine; Zen 3 is not measured.
  static constexpr int kStreams = 2;
  static void run(const uint8_t* first, int64_t group_step, int64_t n, const QuantizedActivations& x, int64_t t0, float* y,
                  int64_t y_group_step, int64_t ys) {
    gemv_q4_k_groups<X, Tokens, Groups>(first, group_step, n, x, t0, y, y_group_step, ys);
  }
};

// All groups: for one token, Group::kStreams far-apart groups at once (group i of each of kStreams equal
// parts), then the groups left over one by one; for several tokens, one group at a time.
template <template <class, int, int> class Group, class X, int Tokens>
void gemv_groups(const uint8_t* groups, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                 float* y, int64_t y_stride) {
  constexpr int kStreams = Tokens == 1 ? Group<X, 1, 1>::kStreams : 1;
  const int64_t n_blocks = x.n_in / Group<X, Tokens, 1>::kBlockValues;
  const int64_t group_bytes = kInterleaveRows * row_bytes;
  const int64_t n_groups = n_rows / kInterleaveRows;
  const int64_t part = n_groups / kStreams;
  for (int64_t i = 0; i < part; ++i) {
    Group<X, Tokens, kStreams>::run(groups + i * group_bytes, part * group_bytes, n_blocks, x, first_token,
                                    y + i * kInterleaveRows, part * kInterleaveRows, y_stride);
  }
  for (int64_t i = kStreams * part; i < n_groups; ++i) {
    Group<X, Tokens, 1>::run(groups + i * group_bytes, 0, n_blocks, x, first_token, y + i * kInterleaveRows, 0, y_stride);
  }
}

// QuantGemvFn on interleaved groups.
template <template <class, int, int> class Group, class X>
void gemv_interleaved(const void* rows, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                      int64_t n_tokens, float* y, int64_t y_stride) {
  static_assert(kGemvMaxTokens == 4, "the switch below lists every token count");
  const auto* groups = static_cast<const uint8_t*>(rows);
  switch (n_tokens) {
    case 1: return gemv_groups<Group, X, 1>(groups, row_bytes, n_rows, x, first_token, y, y_stride);
    case 2: return gemv_groups<Group, X, 2>(groups, row_bytes, n_rows, x, first_token, y, y_stride);
    case 3: return gemv_groups<Group, X, 3>(groups, row_bytes, n_rows, x, first_token, y, y_stride);
    default: return gemv_groups<Group, X, 4>(groups, row_bytes, n_rows, x, first_token, y, y_stride);
  }
}

template <class X>
void install_interleaved_gemv_tables(Kernels& table) {
  table.quant_linear[quant_index(WeightFormat::q4_0)].gemv_interleaved = gemv_interleaved<Q4_0Groups, X>;
  table.quant_linear[quant_index(WeightFormat::q8_0)].gemv_interleaved = gemv_interleaved<Q8_0Groups, X>;
  table.quant_linear[quant_index(WeightFormat::q4_k)].gemv_interleaved = gemv_interleaved<Q4_KGroups, X>;
}

}  // namespace hearth::cpu::simd_x86
