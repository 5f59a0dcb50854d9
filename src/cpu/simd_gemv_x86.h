#pragma once
// Matrix-vector kernels (QuantGemvFn, kernels.h) for x86 with 256-bit integer vectors, over the same per-ISA
// type X as simd_quant_x86.h and under its rules (templates over X only, no standard library code).
//
// Decode streams every weight once per token, so unpacking rows into a panel first (the matrix-matrix path)
// would double the work per byte and make it compute-bound. These kernels decode each block of the stored
// rows straight into registers and meet it with the quantized activations there; with several tokens, each
// decoded block serves all of them. The integer sums per block, and per super-block the int32 lanes of
// scale·(w·x) and min·bsums, are exactly those of unpack + dot in simd_quant_x86.h, so results differ from the
// panel path only in the order of the float additions.
#include <immintrin.h>

#include <cstdint>

#include "cpu/kernels.h"
#include "cpu/simd_quant_x86.h"
#include "tensor/blocks.h"

namespace hearth::cpu::simd_x86 {

// One core's hardware prefetchers keep too few lines in flight on a stream of weights to reach its share of
// DRAM bandwidth (and stop at 4 KiB pages), so the kernels request each block this far ahead of use. Rows of
// a matrix are contiguous, so at the end of a row this fetches the start of the rows that follow; past the
// end of the matrix a prefetch is only a hint and never faults.
inline constexpr int64_t kPrefetchBytes = 2048;

// The lines of the block kPrefetchBytes ahead, the distance shared by kStreams rows read side by side.
template <class X, int kStreams, class Block>
void prefetch_ahead(const Block& block) {
  const char* ahead = reinterpret_cast<const char*>(&block) + kPrefetchBytes / kStreams;
  for (int64_t offset = 0; offset < static_cast<int64_t>(sizeof(Block)); offset += 64) _mm_prefetch(ahead + offset, _MM_HINT_T0);
}

// ---------------------------------------------------------------- 32-value blocks
// Each format: its Block, whether its values carry a sign (the dot product then moves the sign onto the
// activations), kOffset when the stored values are unsigned and stand for value − kOffset, whether a min
// term m·s (Q8_1 sums) follows, the 32 values, scale and min of one block, and kStreams, the rows read at
// once for one token (gemv_streams).
// An offset is subtracted as kOffset·Σx per 4 activations, computed once per block for all rows of a tile:
// the same int32 lanes as the signed product (Σ (v − k)·x = Σ v·x − k·Σ x) with fewer instructions per row.

template <class X>
struct GemvQ4_0 {
  using Block = BlockQ4_0;
  static constexpr bool kSigned = false, kHasMin = false;
  static constexpr int kOffset = 8;
  static constexpr int kStreams = 1;
  static __m256i values(const Block& b) { return nibbles<X>(b.qs); }
  static float scale(const Block& b) { return f16_to_f32<X>(b.d); }
  static float min(const Block&) { return 0.0f; }
};

template <class X>
struct GemvQ4_1 {
  using Block = BlockQ4_1;
  static constexpr bool kSigned = false, kHasMin = true;
  static constexpr int kOffset = 0;
  static constexpr int kStreams = 1;
  static __m256i values(const Block& b) { return nibbles<X>(b.qs); }
  static float scale(const Block& b) { return f16_to_f32<X>(b.d); }
  static float min(const Block& b) { return f16_to_f32<X>(b.m); }
};

template <class X>
struct GemvQ5_0 {
  using Block = BlockQ5_0;
  static constexpr bool kSigned = false, kHasMin = false;
  static constexpr int kOffset = 16;
  static constexpr int kStreams = 1;
  static __m256i values(const Block& b) { return _mm256_or_si256(nibbles<X>(b.qs), fifth_bits<X>(b.qh)); }
  static float scale(const Block& b) { return f16_to_f32<X>(b.d); }
  static float min(const Block&) { return 0.0f; }
};

template <class X>
struct GemvQ5_1 {
  using Block = BlockQ5_1;
  static constexpr bool kSigned = false, kHasMin = true;
  static constexpr int kOffset = 0;
  static constexpr int kStreams = 1;
  static __m256i values(const Block& b) { return _mm256_or_si256(nibbles<X>(b.qs), fifth_bits<X>(b.qh)); }
  static float scale(const Block& b) { return f16_to_f32<X>(b.d); }
  static float min(const Block& b) { return f16_to_f32<X>(b.m); }
};

template <class X>
struct GemvQ8_0 {
  using Block = BlockQ8_0;
  static constexpr bool kSigned = true, kHasMin = false;
  static constexpr int kOffset = 0;
  // Four far-apart streams per core read a 71 MB matrix 9-13% faster than one row after another (2 threads,
  // alternating runs); four adjacent rows ran slower than one, eight streams spill the accumulators, and the
  // formats that decode nibbles are compute-bound enough that four rows at once slowed them down (Q4_1).
  static constexpr int kStreams = 4;
  static __m256i values(const Block& b) { return load_bytes<X>(b.qs); }
  static float scale(const Block& b) { return f16_to_f32<X>(b.d); }
  static float min(const Block&) { return 0.0f; }
};

template <class X>
struct GemvIq4Nl {
  using Block = BlockIQ4_NL;
  static constexpr bool kSigned = true, kHasMin = false;
  static constexpr int kOffset = 0;
  static constexpr int kStreams = 1;
  static __m256i values(const Block& b) { return lookup<X>(nibbles<X>(b.qs), &kIq4nlValues); }
  static float scale(const Block& b) { return f16_to_f32<X>(b.d); }
  static float min(const Block&) { return 0.0f; }
};

template <class X>
struct GemvMxfp4 {
  using Block = BlockMxfp4;
  static constexpr bool kSigned = true, kHasMin = false;
  static constexpr int kOffset = 0;
  static constexpr int kStreams = 1;
  static __m256i values(const Block& b) { return lookup<X>(nibbles<X>(b.qs), &kMxfp4Values); }
  static float scale(const Block& b) { return e8m0_half<X>(b.e); }
  static float min(const Block&) { return 0.0f; }
};

// Rows × Tokens outputs of a 32-value format: per block, one int32 vector per output scaled by d_w·d_x. Even
// and odd blocks add into separate accumulators: one chain of multiply-adds (4 cycles each) per output
// would cap a single row at one block per 4 cycles, below a core's share of DRAM bandwidth for Q4_0.
// The Rows rows are row_step bytes apart and their outputs y_row_step floats apart.
template <class X, class F, int Rows, int Tokens>
void gemv_blocks32(const uint8_t* rows, int64_t row_step, const QuantizedActivations& x, int64_t first_token, float* y,
                   int64_t y_row_step, int64_t y_stride) {
  using Block = typename F::Block;
  const int64_t n_in = x.n_in;
  const int64_t n_blocks = n_in / 32;
  const Block* w[Rows];
  __m256 even[Rows][Tokens], odd[Rows][Tokens];
  float min_sum[Rows][Tokens];
  for (int r = 0; r < Rows; ++r) {
    w[r] = reinterpret_cast<const Block*>(rows + r * row_step);
    for (int t = 0; t < Tokens; ++t) {
      even[r][t] = odd[r][t] = _mm256_setzero_ps();
      min_sum[r][t] = 0.0f;
    }
  }
  const int8_t* xq = x.q + first_token * n_in;
  const float* xd = x.d + first_token * n_blocks;
  const auto block_step = [&](int64_t b, __m256 (&acc)[Rows][Tokens]) {
    __m256i xv[Tokens], offsets[Tokens];
    for (int t = 0; t < Tokens; ++t) {
      xv[t] = load_bytes<X>(xq + t * n_in + 32 * b);
      if constexpr (F::kOffset != 0) offsets[t] = X::dot_u8i8(_mm256_set1_epi8(F::kOffset), xv[t]);
    }
    for (int r = 0; r < Rows; ++r) {
      const Block& block = w[r][b];
      prefetch_ahead<X, Rows>(block);
      const __m256i v = F::values(block);
      const __m256i v_unsigned = F::kSigned ? _mm256_sign_epi8(v, v) : v;
      const float dw = F::scale(block);
      for (int t = 0; t < Tokens; ++t) {
        const __m256i xs = F::kSigned ? _mm256_sign_epi8(xv[t], v) : xv[t];
        __m256i sums = X::dot_u8i8(v_unsigned, xs);
        if constexpr (F::kOffset != 0) sums = _mm256_sub_epi32(sums, offsets[t]);
        const __m256 products = _mm256_cvtepi32_ps(sums);
        acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * xd[t * n_blocks + b]), products, acc[r][t]);
        if constexpr (F::kHasMin) min_sum[r][t] += F::min(block) * x.s[(first_token + t) * n_blocks + b];
      }
    }
  };
  int64_t b = 0;
  for (; b + 1 < n_blocks; b += 2) {
    block_step(b, even);
    block_step(b + 1, odd);
  }
  if (b < n_blocks) block_step(b, even);
  for (int r = 0; r < Rows; ++r) {
    for (int t = 0; t < Tokens; ++t) {
      y[t * y_stride + r * y_row_step] = horizontal_sum<X>(_mm256_add_ps(even[r][t], odd[r][t])) + min_sum[r][t];
    }
  }
}

// ---------------------------------------------------------------- 256-value super-blocks
// Each format: its Block, signedness and MinTerm (simd_quant_x86.h); prepare() returns the vector that
// chunk_scales() picks the 16 int16 scales of a 32-value chunk from (lanes 0-7 for its first 16 values, 8-15
// for the others) and sets `mins` to the 16 int16 mins per 16 values; values() gives chunk c's 32 values.

// Scale per 32 values: `source` holds the 8 int16 scales in both 128-bit halves.
template <class X>
__m256i scales_per_32(__m256i source, int chunk) {
  return _mm256_shuffle_epi8(source, _mm256_set1_epi16(static_cast<int16_t>((2 * chunk + 1) << 8 | 2 * chunk)));
}

// Unsigned scale per 16 values: `source` holds the 16 scale bytes in both 128-bit halves.
template <class X>
__m256i unsigned_scales_per_16(__m256i source, int chunk) {
  // Mask bytes with the top bit set give zero: each int16 lane is the byte, zero-extended.
  const __m128i first = _mm_set1_epi16(static_cast<int16_t>(0x8000 | 2 * chunk));
  const __m128i second = _mm_set1_epi16(static_cast<int16_t>(0x8000 | (2 * chunk + 1)));
  return _mm256_shuffle_epi8(source, _mm256_set_m128i(second, first));
}

// Signed scale per 16 values: the byte goes to the top of each int16 lane and an arithmetic shift extends it.
template <class X>
__m256i signed_scales_per_16(__m256i source, int chunk) {
  const __m128i first = _mm_set1_epi16(static_cast<int16_t>(2 * chunk << 8 | 0x80));
  const __m128i second = _mm_set1_epi16(static_cast<int16_t>((2 * chunk + 1) << 8 | 0x80));
  return _mm256_srai_epi16(_mm256_shuffle_epi8(source, _mm256_set_m128i(second, first)), 8);
}

template <class X>
__m256i broadcast_16_bytes(__m128i v) {
  return _mm256_broadcastsi128_si256(v);
}

template <class X>
__m128i load_16_bytes(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

template <class X>
struct GemvQ2_K {
  using Block = BlockQ2_K;
  static constexpr bool kSigned = false;
  static constexpr MinTerm kMin = MinTerm::float_min;
  static __m256i prepare(const Block& b, __m256i& mins) {
    const __m128i packed = load_16_bytes<X>(b.scales);
    const __m128i low = _mm_set1_epi8(0x0F);
    mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), low));
    return broadcast_16_bytes<X>(_mm_and_si128(packed, low));
  }
  static __m256i chunk_scales(__m256i source, int chunk) { return unsigned_scales_per_16<X>(source, chunk); }
  static __m256i values(const Block& b, int chunk) { return byte_field<X>(load_bytes<X>(b.qs + 32 * (chunk / 4)), 2 * (chunk % 4), 3); }
  static float d(const Block& b) { return f16_to_f32<X>(b.d); }
  static float m(const Block& b) { return f16_to_f32<X>(b.dmin); }
};

// Values 0..7 standing for −4..3: the offset is a min of 4·scale subtracted in the integer sums.
template <class X>
struct GemvQ3_K {
  using Block = BlockQ3_K;
  static constexpr bool kSigned = false;
  static constexpr MinTerm kMin = MinTerm::integer_offset;
  // 16 six-bit scales: low 4 bits from bytes 0-7 (low nibbles for groups 0-7, high for 8-15), high 2 bits
  // from bytes 8-11 (byte g % 4, bits 2·(g / 4)).
  static __m256i prepare(const Block& b, __m256i& mins) {
    uint64_t low_bits;
    uint32_t high_bits;
    __builtin_memcpy(&low_bits, b.scales, 8);
    __builtin_memcpy(&high_bits, b.scales + 8, 4);
    const uint64_t nibble_mask = 0x0F0F0F0F0F0F0F0F;
    const __m128i low = _mm_set_epi64x(static_cast<int64_t>((low_bits >> 4) & nibble_mask), static_cast<int64_t>(low_bits & nibble_mask));
    const __m128i high = _mm_and_si128(_mm_setr_epi32(static_cast<int>(high_bits), static_cast<int>(high_bits >> 2),
                                                      static_cast<int>(high_bits >> 4), static_cast<int>(high_bits >> 6)),
                                       _mm_set1_epi8(3));
    const __m128i scales = _mm_sub_epi8(_mm_or_si128(low, _mm_slli_epi16(high, 4)), _mm_set1_epi8(32));
    mins = _mm256_slli_epi16(_mm256_cvtepi8_epi16(scales), 2);
    return broadcast_16_bytes<X>(scales);
  }
  static __m256i chunk_scales(__m256i source, int chunk) { return signed_scales_per_16<X>(source, chunk); }
  static __m256i values(const Block& b, int chunk) {
    const int half = chunk / 4, pass = chunk % 4;
    const __m256i high = high_bits<X>(load_bytes<X>(b.hmask), 4 * half + pass, 1, 2);
    return _mm256_or_si256(byte_field<X>(load_bytes<X>(b.qs + 32 * half), 2 * pass, 3), high);
  }
  static float d(const Block& b) { return f16_to_f32<X>(b.d); }
  static float m(const Block& b) { return f16_to_f32<X>(b.d); }
};

template <class X, class Block, bool kHasHighBit>
struct GemvQ4_KOrQ5_K {
  static constexpr bool kSigned = false;
  static constexpr MinTerm kMin = MinTerm::float_min;
  static __m256i prepare(const Block& b, __m256i& mins) {
    __m128i scales, mins_per_32;
    k4_scales_mins<X>(b.scales, scales, mins_per_32);
    mins = _mm256_set_m128i(_mm_unpackhi_epi16(mins_per_32, mins_per_32), _mm_unpacklo_epi16(mins_per_32, mins_per_32));
    return broadcast_16_bytes<X>(scales);
  }
  static __m256i chunk_scales(__m256i source, int chunk) { return scales_per_32<X>(source, chunk); }
  // Chunk 2j is the low nibbles of qs[32j..], chunk 2j+1 the high ones; Q5_K adds bit `chunk` of qh as 16.
  static __m256i values(const Block& b, int chunk) {
    const __m256i packed = load_bytes<X>(b.qs + 32 * (chunk / 2));
    const __m256i v = chunk % 2 == 0 ? low_nibbles<X>(packed) : high_nibbles<X>(packed);
    if constexpr (kHasHighBit) return _mm256_or_si256(v, high_bits<X>(load_bytes<X>(b.qh), chunk, 1, 4));
    return v;
  }
  static float d(const Block& b) { return f16_to_f32<X>(b.d); }
  static float m(const Block& b) { return f16_to_f32<X>(b.dmin); }
};

template <class X>
struct GemvQ4_K : GemvQ4_KOrQ5_K<X, BlockQ4_K, false> {
  using Block = BlockQ4_K;
};

template <class X>
struct GemvQ5_K : GemvQ4_KOrQ5_K<X, BlockQ5_K, true> {
  using Block = BlockQ5_K;
};

// Values 0..63 standing for −32..31: the offset is a min of 32·scale subtracted in the integer sums.
template <class X>
struct GemvQ6_K {
  using Block = BlockQ6_K;
  static constexpr bool kSigned = false;
  static constexpr MinTerm kMin = MinTerm::integer_offset;
  static __m256i prepare(const Block& b, __m256i& mins) {
    const __m128i scales = load_16_bytes<X>(b.scales);
    mins = _mm256_slli_epi16(_mm256_cvtepi8_epi16(scales), 5);
    return broadcast_16_bytes<X>(scales);
  }
  static __m256i chunk_scales(__m256i source, int chunk) { return signed_scales_per_16<X>(source, chunk); }
  // Chunk 4h+k: low 4 bits from nibble k / 2 of ql[64h + 32·(k % 2)..], high 2 bits from bits 2k of qh[32h..].
  static __m256i values(const Block& b, int chunk) {
    const int half = chunk / 4, k = chunk % 4;
    const __m256i packed = load_bytes<X>(b.ql + 64 * half + 32 * (k % 2));
    const __m256i low = k < 2 ? low_nibbles<X>(packed) : high_nibbles<X>(packed);
    return _mm256_or_si256(low, high_bits<X>(load_bytes<X>(b.qh + 32 * half), 2 * k, 3, 4));
  }
  static float d(const Block& b) { return f16_to_f32<X>(b.d); }
  static float m(const Block& b) { return f16_to_f32<X>(b.d); }
};

template <class X>
struct GemvIq4Xs {
  using Block = BlockIQ4_XS;
  static constexpr bool kSigned = true;
  static constexpr MinTerm kMin = MinTerm::none;
  static __m256i prepare(const Block& b, __m256i& mins) {
    mins = _mm256_setzero_si256();
    return broadcast_16_bytes<X>(iq4_xs_scales<X>(b));
  }
  static __m256i chunk_scales(__m256i source, int chunk) { return scales_per_32<X>(source, chunk); }
  static __m256i values(const Block& b, int chunk) { return lookup<X>(nibbles<X>(b.qs + 16 * chunk), &kIq4nlValues); }
  static float d(const Block& b) { return f16_to_f32<X>(b.d); }
  static float m(const Block&) { return 0.0f; }
};

// Rows × Tokens outputs of a 256-value format: per super-block, int32 lanes of Σ scale·(w·x) (less the
// integer offset) over its 8 chunks, then one float multiply-add per output; a float min term is added
// when the super-block starts.
// The Rows rows are row_step bytes apart and their outputs y_row_step floats apart.
template <class X, class F, int Rows, int Tokens>
void gemv_super_blocks(const uint8_t* rows, int64_t row_step, const QuantizedActivations& x, int64_t first_token, float* y,
                       int64_t y_row_step, int64_t y_stride) {
  using Block = typename F::Block;
  const int64_t n_in = x.n_in;
  const int64_t n_blocks = n_in / kQK_K;
  const Block* w[Rows];
  __m256 acc[Rows][Tokens];
  for (int r = 0; r < Rows; ++r) {
    w[r] = reinterpret_cast<const Block*>(rows + r * row_step);
    for (int t = 0; t < Tokens; ++t) acc[r][t] = _mm256_setzero_ps();
  }
  const int8_t* xq = x.q + first_token * n_in;
  const float* xd = x.d + first_token * n_blocks;
  for (int64_t b = 0; b < n_blocks; ++b) {
    float dx[Tokens];
    for (int t = 0; t < Tokens; ++t) dx[t] = xd[t * n_blocks + b];
    __m256i source[Rows];
    __m256i sums[Rows][Tokens];
    for (int r = 0; r < Rows; ++r) {
      prefetch_ahead<X, Rows>(w[r][b]);
      __m256i mins;
      source[r] = F::prepare(w[r][b], mins);
      for (int t = 0; t < Tokens; ++t) {
        sums[r][t] = _mm256_setzero_si256();
        if constexpr (F::kMin != MinTerm::none) {
          const __m256i min_terms = _mm256_madd_epi16(mins, load_bytes<X>(x.bsums + ((first_token + t) * n_blocks + b) * 16));
          if constexpr (F::kMin == MinTerm::integer_offset) sums[r][t] = _mm256_sub_epi32(sums[r][t], min_terms);
          if constexpr (F::kMin == MinTerm::float_min) {
            acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(-F::m(w[r][b]) * dx[t]), _mm256_cvtepi32_ps(min_terms), acc[r][t]);
          }
        }
      }
    }
#pragma GCC unroll 8
    for (int chunk = 0; chunk < 8; ++chunk) {
      __m256i xv[Tokens];
      for (int t = 0; t < Tokens; ++t) xv[t] = load_bytes<X>(xq + t * n_in + kQK_K * b + 32 * chunk);
      for (int r = 0; r < Rows; ++r) {
        const __m256i v = F::values(w[r][b], chunk);
        const __m256i v_unsigned = F::kSigned ? _mm256_sign_epi8(v, v) : v;
        const __m256i scales = F::chunk_scales(source[r], chunk);
        for (int t = 0; t < Tokens; ++t) {
          const __m256i xs = F::kSigned ? _mm256_sign_epi8(xv[t], v) : xv[t];
          sums[r][t] = _mm256_add_epi32(sums[r][t], _mm256_madd_epi16(_mm256_maddubs_epi16(v_unsigned, xs), scales));
        }
      }
    }
    for (int r = 0; r < Rows; ++r) {
      const float dw = F::d(w[r][b]);
      for (int t = 0; t < Tokens; ++t) {
        acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx[t]), _mm256_cvtepi32_ps(sums[r][t]), acc[r][t]);
      }
    }
  }
  for (int r = 0; r < Rows; ++r) {
    for (int t = 0; t < Tokens; ++t) y[t * y_stride + r * y_row_step] = horizontal_sum<X>(acc[r][t]);
  }
}

// ---------------------------------------------------------------- dispatch

// One token: F::kStreams rows at once (gemv_streams). Several tokens: Rows adjacent rows per tile, fewer as
// the tokens that share each decoded block grow.
template <class X, class F>
struct Blocks32Gemv {
  static constexpr int kStreams = F::kStreams;
  template <int Rows, int Tokens>
  static void run(const uint8_t* rows, int64_t row_step, const QuantizedActivations& x, int64_t t0, float* y, int64_t y_row_step,
                  int64_t ys) {
    gemv_blocks32<X, F, Rows, Tokens>(rows, row_step, x, t0, y, y_row_step, ys);
  }
};

// One row at a time: a super-block keeps a scale vector and an accumulator per row live across its 8 chunks,
// and more rows than one spill them (the activations are reloaded from L1 instead).
template <class X, class F>
struct SuperBlockGemv {
  static constexpr int kStreams = 1;
  template <int Rows, int Tokens>
  static void run(const uint8_t* rows, int64_t row_step, const QuantizedActivations& x, int64_t t0, float* y, int64_t y_row_step,
                  int64_t ys) {
    gemv_super_blocks<X, F, Rows, Tokens>(rows, row_step, x, t0, y, y_row_step, ys);
  }
};

// All rows, Rows adjacent rows at a time, then the rest one by one.
template <class Kernel, int Rows, int Tokens>
void gemv_rows(const void* rows, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
               float* y, int64_t y_stride) {
  const auto* bytes = static_cast<const uint8_t*>(rows);
  int64_t r = 0;
  for (; r + Rows <= n_rows; r += Rows) Kernel::template run<Rows, Tokens>(bytes + r * row_bytes, row_bytes, x, first_token, y + r, 1, y_stride);
  for (; r < n_rows; ++r) Kernel::template run<1, Tokens>(bytes + r * row_bytes, row_bytes, x, first_token, y + r, 1, y_stride);
}

// All rows for one token, as Kernel::kStreams streams of weights far from each other: row i of each of the
// kStreams equal parts together, then the rows left over one by one.
template <class Kernel>
void gemv_streams(const void* rows, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                  float* y, int64_t y_stride) {
  constexpr int kStreams = Kernel::kStreams;
  const auto* bytes = static_cast<const uint8_t*>(rows);
  const int64_t part = n_rows / kStreams;
  for (int64_t r = 0; r < part; ++r) {
    Kernel::template run<kStreams, 1>(bytes + r * row_bytes, part * row_bytes, x, first_token, y + r, part, y_stride);
  }
  for (int64_t r = kStreams * part; r < n_rows; ++r) {
    Kernel::template run<1, 1>(bytes + r * row_bytes, row_bytes, x, first_token, y + r, 1, y_stride);
  }
}

// QuantGemvFn.
template <class Kernel>
void gemv(const void* rows, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
          int64_t n_tokens, float* y, int64_t y_stride) {
  static_assert(kGemvMaxTokens == 4, "the switch below lists every token count");
  switch (n_tokens) {
    case 1: return gemv_streams<Kernel>(rows, row_bytes, n_rows, x, first_token, y, y_stride);
    case 2: return gemv_rows<Kernel, 2, 2>(rows, row_bytes, n_rows, x, first_token, y, y_stride);
    case 3: return gemv_rows<Kernel, 1, 3>(rows, row_bytes, n_rows, x, first_token, y, y_stride);
    default: return gemv_rows<Kernel, 1, 4>(rows, row_bytes, n_rows, x, first_token, y, y_stride);
  }
}

// Fills the gemv entries of the quantized linear kernels of `table`.
template <class X>
void install_gemv_tables(Kernels& table) {
  const auto set = [&table](WeightFormat format, QuantGemvFn fn) {
    table.quant_linear[static_cast<size_t>(format) - kFloatWeightFormatCount].gemv = fn;
  };
  set(WeightFormat::q4_0, gemv<Blocks32Gemv<X, GemvQ4_0<X>>>);
  set(WeightFormat::q4_1, gemv<Blocks32Gemv<X, GemvQ4_1<X>>>);
  set(WeightFormat::q5_0, gemv<Blocks32Gemv<X, GemvQ5_0<X>>>);
  set(WeightFormat::q5_1, gemv<Blocks32Gemv<X, GemvQ5_1<X>>>);
  set(WeightFormat::q8_0, gemv<Blocks32Gemv<X, GemvQ8_0<X>>>);
  set(WeightFormat::iq4_nl, gemv<Blocks32Gemv<X, GemvIq4Nl<X>>>);
  set(WeightFormat::mxfp4, gemv<Blocks32Gemv<X, GemvMxfp4<X>>>);
  set(WeightFormat::q2_k, gemv<SuperBlockGemv<X, GemvQ2_K<X>>>);
  set(WeightFormat::q3_k, gemv<SuperBlockGemv<X, GemvQ3_K<X>>>);
  set(WeightFormat::q4_k, gemv<SuperBlockGemv<X, GemvQ4_K<X>>>);
  set(WeightFormat::q5_k, gemv<SuperBlockGemv<X, GemvQ5_K<X>>>);
  set(WeightFormat::q6_k, gemv<SuperBlockGemv<X, GemvQ6_K<X>>>);
  set(WeightFormat::iq4_xs, gemv<SuperBlockGemv<X, GemvIq4Xs<X>>>);
}

}  // namespace hearth::cpu::simd_x86
