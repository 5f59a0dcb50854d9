#pragma once
// Quantized linear kernels for x86 with 256-bit integer vectors, written over X, the per-ISA type that
// provides the 4-way byte dot product:
//   X::dot_u8i8(u, s): 8 int32 lanes, lane i = Σ_{j<4} u[4i+j]·s[4i+j] for unsigned bytes u and signed s.
// AVX2 forms it from maddubs (pairs into int16) and madd with ones; AVX-512 VNNI has it as one instruction.
// The rules of simd_kernels.h hold: templates over X only, no standard library code, so the copies compiled
// with different -m flags never merge. tensor/blocks.h is included for the block layouts and codebooks only;
// its inline helpers are re-written here as templates rather than called.
//
// The kernels run on WeightPanel / QuantizedActivations (kernels.h). The signed-by-signed products use
// |w| as the unsigned side and give x the sign of w (spec/quants.md §10); no product saturates the int16
// pair sums because |w| ≤ 127 and |x| ≤ 127 (and every 256-value format has |w| ≤ 63 where it is unsigned).
#include <immintrin.h>

#include <cstdint>

#include "cpu/kernels.h"
#include "tensor/blocks.h"

namespace hearth::cpu::simd_x86 {

template <class X>
__m256i load_bytes(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

template <class X>
float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

template <class X>
float f16_to_f32(uint16_t h) {
  return _cvtsh_ss(h);
}

// Round to nearest even, as tensor/fp16.h.
template <class X>
float round_through_f16(float v) {
  return _cvtsh_ss(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT));
}

// ---------------------------------------------------------------- activations

// The largest |x| of 8·k floats.
template <class X>
float abs_max(const float* x, int n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 m = _mm256_setzero_ps();
  for (int i = 0; i < n; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// 32 values x·factor rounded half to even into bytes (|x·factor| ≤ 127.5 by construction); returns Σq.
template <class X>
int quantize_32(const float* x, float factor, int8_t* q) {
  const __m256 f = _mm256_set1_ps(factor);
  __m256i v[4];
  for (int i = 0; i < 4; ++i) {
    v[i] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), f), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  // packs interleaves 128-bit halves; the permute restores element order.
  const __m256i words = _mm256_packs_epi32(v[0], v[1]);
  const __m256i words_hi = _mm256_packs_epi32(v[2], v[3]);
  const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(words, words_hi), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), bytes);
  const __m256i sums = _mm256_add_epi32(_mm256_add_epi32(v[0], v[1]), _mm256_add_epi32(v[2], v[3]));
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

// llama.cpp's AVX quantize_row_q8_0 / q8_1: d = amax/127 stored as fp16, q = RNE(x·127/amax).
template <class X, bool kWithSums>
void quantize_q8_32(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                    int64_t first_token) {
  const int64_t n_in = out.n_in;
  const int64_t n_blocks = n_in / 32;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t row = first_token + t;
    for (int64_t b = 0; b < n_blocks; ++b) {
      const float* values = x + t * x_stride + 32 * b;
      const float amax = abs_max<X>(values, 32);
      const float d = amax / 127.f;
      const int sum = quantize_32<X>(values, amax != 0.0f ? 127.f / amax : 0.0f, out.q + row * n_in + 32 * b);
      out.d[row * n_blocks + b] = round_through_f16<X>(d);
      out.sums[row * n_blocks + b] = sum;
      if constexpr (kWithSums) out.s[row * n_blocks + b] = round_through_f16<X>(static_cast<float>(sum) * d);
    }
  }
}

// quantize_row_q8_K_ref: the element of largest |x| (the first on ties) becomes −127, d = 1/iscale in f32.
template <class X>
void quantize_q8_k(const float* x, int64_t x_stride, int64_t n_tokens, const QuantizedActivations& out,
                   int64_t first_token) {
  const int64_t n_in = out.n_in;
  const int64_t n_blocks = n_in / kQK_K;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t row = first_token + t;
    for (int64_t b = 0; b < n_blocks; ++b) {
      const float* values = x + t * x_stride + kQK_K * b;
      int8_t* q = out.q + row * n_in + kQK_K * b;
      int16_t* bsums = out.bsums + (row * n_blocks + b) * 16;
      const float amax = abs_max<X>(values, kQK_K);
      if (amax == 0.0f) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(bsums), _mm256_setzero_si256());
        for (int i = 0; i < kQK_K; i += 32) _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_setzero_si256());
        out.d[row * n_blocks + b] = 0.0f;
        continue;
      }
      int first = 0;
      while (values[first] != amax && values[first] != -amax) ++first;
      const float iscale = -127.f / values[first];
      // |iscale·x| ≤ 127, so the reference's min(127, ·) never changes a value.
      for (int i = 0; i < kQK_K; i += 32) quantize_32<X>(values + i, iscale, q + i);
      for (int g = 0; g < 16; ++g) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * g));
        const __m128i pairs = _mm_madd_epi16(_mm_maddubs_epi16(_mm_set1_epi8(1), bytes), _mm_set1_epi16(1));
        __m128i s = _mm_add_epi32(pairs, _mm_shuffle_epi32(pairs, 0x4E));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
        bsums[g] = static_cast<int16_t>(_mm_cvtsi128_si32(s));
      }
      out.d[row * n_blocks + b] = 1.0f / iscale;
    }
  }
}

// ---------------------------------------------------------------- weight panels

// A panel holds kPanelRows rows interleaved so that one 256-bit load serves every row: the vector kernels
// below then keep one output row per 32-bit lane and never sum horizontally. Rows past n_rows are zero.
//   q:      [n_in / 32 chunks][8 groups of 4 values][row][4 bytes]
//   d, m:   [block][row]
//   scales: 256-value formats, [super-block][16 groups of 16 values][row][2]: the group's scale twice, the
//           int16 pair that madd multiplies with the two byte-pair sums of maddubs
//   mins:   256-value formats, [super-block][8 pairs of groups][row][2]: the mins of groups 2p and 2p+1,
//           against the activations' bsums of the same two groups
// The layout is this file's own: only its dot kernels read what its unpack kernels write.

// One row's unpacked block, before interleaving.
template <class X>
struct BlockOut {
  int8_t* q;              // 32 or 256 values
  float* d;
  float* m;
  int32_t* scale_pairs;   // 256-value formats: 16 words, word j = the scale of group j in both int16 halves
  int16_t* mins;          // 256-value formats: the min of each group of 16
};

template <class X>
void store_bytes(int8_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

// 16 packed bytes → 32 nibbles: low nibbles are elements 0-15, high nibbles 16-31 (one broadcast load, and
// only the upper copy shifted).
template <class X>
__m256i nibbles(const uint8_t* qs) {
  const __m256i packed = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  return _mm256_and_si256(_mm256_srlv_epi64(packed, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0x0F));
}

// Byte i = 0x10 where bit i of the 32-bit word qh is set, else 0 (the fifth bit of Q5_0 / Q5_1 values).
template <class X>
__m256i fifth_bits(const uint8_t* qh) {
  uint32_t bits;
  __builtin_memcpy(&bits, qh, 4);
  const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)),
                                             _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
  const __m256i bit_of_byte = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit_of_byte), bit_of_byte);
  return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// Looks 32 nibbles up in a 16-entry signed byte table (kIq4nlValues, kMxfp4Values: taken by address, since
// std::array::data() is an inline library function).
template <class X>
__m256i lookup(__m256i indices, const void* table) {
  const __m128i entries = _mm_loadu_si128(static_cast<const __m128i*>(table));
  return _mm256_shuffle_epi8(_mm256_set_m128i(entries, entries), indices);
}

// Transposes 8×8 int32 words: rows[i] word j becomes rows[j] word i.
template <class X>
void transpose_words(__m256i rows[8]) {
  __m256i pairs[8], quads[8];
  for (int i = 0; i < 8; i += 2) {
    pairs[i] = _mm256_unpacklo_epi32(rows[i], rows[i + 1]);
    pairs[i + 1] = _mm256_unpackhi_epi32(rows[i], rows[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    quads[i] = _mm256_unpacklo_epi64(pairs[i], pairs[i + 2]);
    quads[i + 1] = _mm256_unpackhi_epi64(pairs[i], pairs[i + 2]);
    quads[i + 2] = _mm256_unpacklo_epi64(pairs[i + 1], pairs[i + 3]);
    quads[i + 3] = _mm256_unpackhi_epi64(pairs[i + 1], pairs[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    rows[i] = _mm256_permute2x128_si256(quads[i], quads[i + 4], 0x20);
    rows[i + 4] = _mm256_permute2x128_si256(quads[i], quads[i + 4], 0x31);
  }
}

// Loads 8 rows of 32 bytes `stride` bytes apart, transposes their words and stores them one after another.
template <class X>
void interleave_words(const void* rows, int64_t stride, void* out) {
  static_assert(kPanelRows == 8, "one 32-bit lane per row");
  __m256i v[8];
  for (int r = 0; r < 8; ++r) v[r] = load_bytes<X>(static_cast<const char*>(rows) + r * stride);
  transpose_words<X>(v);
  for (int g = 0; g < 8; ++g) _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<char*>(out) + 32 * g), v[g]);
}

// Unpacks each block of the n_rows ≤ kPanelRows rows with unpack_block(block, out), then interleaves them.
template <class X, class Block, int kBlockElements, class UnpackBlock>
void unpack_rows(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel, UnpackBlock unpack_block) {
  constexpr int kChunks = kBlockElements / 32;
  alignas(32) int8_t q[kPanelRows][kBlockElements] = {};
  alignas(32) int32_t scale_pairs[kPanelRows][16] = {};
  alignas(32) int16_t mins[kPanelRows][16] = {};
  alignas(32) float d[kPanelRows] = {}, m[kPanelRows] = {};
  for (int64_t b = 0; b < panel.n_in / kBlockElements; ++b) {
    for (int64_t r = 0; r < n_rows; ++r) {
      const auto* blocks = reinterpret_cast<const Block*>(static_cast<const uint8_t*>(rows) + r * row_bytes);
      unpack_block(blocks[b], BlockOut<X>{q[r], &d[r], &m[r], scale_pairs[r], mins[r]});
    }
    for (int c = 0; c < kChunks; ++c) interleave_words<X>(&q[0][32 * c], kBlockElements, panel.q + (b * kChunks + c) * 256);
    _mm256_storeu_ps(panel.d + 8 * b, _mm256_load_ps(d));
    _mm256_storeu_ps(panel.m + 8 * b, _mm256_load_ps(m));
    if constexpr (kBlockElements == kQK_K) {
      interleave_words<X>(&scale_pairs[0][0], 64, panel.scales + 256 * b);
      interleave_words<X>(&scale_pairs[0][8], 64, panel.scales + 256 * b + 128);
      interleave_words<X>(&mins[0][0], 32, panel.mins + 128 * b);
    }
  }
}

template <class X>
void unpack_q4_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ4_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ4_0& block, const BlockOut<X>& out) {
    store_bytes<X>(out.q, _mm256_sub_epi8(nibbles<X>(block.qs), _mm256_set1_epi8(8)));
    *out.d = f16_to_f32<X>(block.d);
  });
}

template <class X>
void unpack_q4_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ4_1, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ4_1& block, const BlockOut<X>& out) {
    store_bytes<X>(out.q, nibbles<X>(block.qs));
    *out.d = f16_to_f32<X>(block.d);
    *out.m = f16_to_f32<X>(block.m);
  });
}

template <class X>
void unpack_q5_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ5_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ5_0& block, const BlockOut<X>& out) {
    const __m256i values = _mm256_or_si256(nibbles<X>(block.qs), fifth_bits<X>(block.qh));
    store_bytes<X>(out.q, _mm256_sub_epi8(values, _mm256_set1_epi8(16)));
    *out.d = f16_to_f32<X>(block.d);
  });
}

template <class X>
void unpack_q5_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ5_1, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ5_1& block, const BlockOut<X>& out) {
    store_bytes<X>(out.q, _mm256_or_si256(nibbles<X>(block.qs), fifth_bits<X>(block.qh)));
    *out.d = f16_to_f32<X>(block.d);
    *out.m = f16_to_f32<X>(block.m);
  });
}

template <class X>
void unpack_q8_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ8_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ8_0& block, const BlockOut<X>& out) {
    store_bytes<X>(out.q, load_bytes<X>(block.qs));
    *out.d = f16_to_f32<X>(block.d);
  });
}

template <class X>
void unpack_iq4_nl(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockIQ4_NL, 32>(rows, row_bytes, n_rows, panel, [](const BlockIQ4_NL& block, const BlockOut<X>& out) {
    store_bytes<X>(out.q, lookup<X>(nibbles<X>(block.qs), &kIq4nlValues));
    *out.d = f16_to_f32<X>(block.d);
  });
}

// 2^(e−128) as a bit pattern, ggml's GGML_E8M0_TO_FP32_HALF (e = 0 and 1 give the subnormals).
template <class X>
float e8m0_half(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<uint32_t>(e - 1) << 23;
  return _mm_cvtss_f32(_mm_castsi128_ps(_mm_cvtsi32_si128(static_cast<int>(bits))));
}

template <class X>
void unpack_mxfp4(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockMxfp4, 32>(rows, row_bytes, n_rows, panel, [](const BlockMxfp4& block, const BlockOut<X>& out) {
    store_bytes<X>(out.q, lookup<X>(nibbles<X>(block.qs), &kMxfp4Values));
    *out.d = e8m0_half<X>(block.e);
  });
}

// Writes the scales and mins of the 16 groups of 16 values of a super-block, given as int16 lanes (groups 0-7
// in the *_low vectors, 8-15 in *_high).
template <class X>
void store_groups(const BlockOut<X>& out, __m128i scales_low, __m128i scales_high, __m128i mins_low, __m128i mins_high) {
  const __m128i pairs[4] = {_mm_unpacklo_epi16(scales_low, scales_low), _mm_unpackhi_epi16(scales_low, scales_low),
                            _mm_unpacklo_epi16(scales_high, scales_high), _mm_unpackhi_epi16(scales_high, scales_high)};
  for (int i = 0; i < 4; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(out.scale_pairs + 4 * i), pairs[i]);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.mins), mins_low);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.mins + 8), mins_high);
}

// The 256-value formats keep their quants as bit fields of bytes; these take one field out of 32 bytes at
// once. A 16-bit shift serves for bytes because the mask drops the bits it pulls in from the neighbour.

// Bits shift.. of every byte, masked to `mask` (2^width − 1).
template <class X>
__m256i byte_field(__m256i packed, int shift, int mask) {
  return _mm256_and_si256(_mm256_srli_epi16(packed, shift), _mm256_set1_epi8(static_cast<char>(mask)));
}

template <class X>
__m256i low_nibbles(__m256i packed) {
  return _mm256_and_si256(packed, _mm256_set1_epi8(0x0F));
}

template <class X>
__m256i high_nibbles(__m256i packed) {
  return byte_field<X>(packed, 4, 0x0F);
}

// A byte_field moved up to bit `to`, ready to be ORed onto the low bits of the same values (the high bits of
// Q3_K, Q5_K and Q6_K).
template <class X>
__m256i high_bits(__m256i packed, int shift, int mask, int to) {
  return _mm256_slli_epi16(byte_field<X>(packed, shift, mask), to);
}

// The 6-bit sub-scales of Q3_K and IQ4_XS: stored +32, as a low nibble and two high bits.
template <class X>
int16_t signed_six_bit_scale(int low_nibble, int high_two_bits) {
  return static_cast<int16_t>((low_nibble | (high_two_bits << 4)) - 32);
}

template <class X>
void unpack_q2_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ2_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ2_K& block, const BlockOut<X>& out) {
    int8_t* q = out.q;
    for (int half = 0; half < 2; ++half) {
      const __m256i packed = load_bytes<X>(block.qs + 32 * half);
      for (int pass = 0; pass < 4; ++pass) store_bytes<X>(q + 128 * half + 32 * pass, byte_field<X>(packed, 2 * pass, 3));
    }
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block.scales));
    const __m128i low = _mm_set1_epi8(0x0F);
    const __m128i scales = _mm_and_si128(packed, low);
    const __m128i mins = _mm_and_si128(_mm_srli_epi16(packed, 4), low);
    store_groups<X>(out, _mm_cvtepu8_epi16(scales), _mm_cvtepu8_epi16(_mm_srli_si128(scales, 8)), _mm_cvtepu8_epi16(mins),
                    _mm_cvtepu8_epi16(_mm_srli_si128(mins, 8)));
    *out.d = f16_to_f32<X>(block.d);
    *out.m = f16_to_f32<X>(block.dmin);
  });
}

// Values 0..7 standing for −4..3: the offset becomes a min of 4·scale with m = d.
template <class X>
void unpack_q3_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ3_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ3_K& block, const BlockOut<X>& out) {
    int8_t* q = out.q;
    const __m256i hmask = load_bytes<X>(block.hmask);
    for (int half = 0; half < 2; ++half) {
      const __m256i packed = load_bytes<X>(block.qs + 32 * half);
      for (int pass = 0; pass < 4; ++pass) {
        const __m256i high = high_bits<X>(hmask, 4 * half + pass, 1, 2);
        store_bytes<X>(q + 128 * half + 32 * pass, _mm256_or_si256(byte_field<X>(packed, 2 * pass, 3), high));
      }
    }
    alignas(16) int16_t scales[16];
    for (int g = 0; g < 16; ++g) {
      const int low = g < 8 ? block.scales[g] & 0xF : block.scales[g - 8] >> 4;
      const int high = (block.scales[8 + g % 4] >> (2 * (g / 4))) & 3;
      scales[g] = signed_six_bit_scale<X>(low, high);
    }
    const __m128i scales_low = _mm_load_si128(reinterpret_cast<const __m128i*>(scales));
    const __m128i scales_high = _mm_load_si128(reinterpret_cast<const __m128i*>(scales + 8));
    store_groups<X>(out, scales_low, scales_high, _mm_slli_epi16(scales_low, 2), _mm_slli_epi16(scales_high, 2));
    *out.d = *out.m = f16_to_f32<X>(block.d);
  });
}

// The 8 six-bit scales and mins of a Q4_K / Q5_K block (spec §4.3) as int16 lanes, from the 12 packed
// bytes read as three 32-bit words.
template <class X>
void k4_scales_mins(const uint8_t* packed, __m128i& scales, __m128i& mins) {
  uint32_t words[3];
  __builtin_memcpy(words, packed, 12);
  const uint32_t six_bits = 0x3F3F3F3F, four_bits = 0x0F0F0F0F, two_bits = 0x03030303;
  const uint32_t scales_low = words[0] & six_bits;
  const uint32_t mins_low = words[1] & six_bits;
  const uint32_t scales_high = (words[2] & four_bits) | ((words[0] >> 6) & two_bits) << 4;
  const uint32_t mins_high = ((words[2] >> 4) & four_bits) | ((words[1] >> 6) & two_bits) << 4;
  scales = _mm_cvtepu8_epi16(_mm_setr_epi32(static_cast<int>(scales_low), static_cast<int>(scales_high), 0, 0));
  mins = _mm_cvtepu8_epi16(_mm_setr_epi32(static_cast<int>(mins_low), static_cast<int>(mins_high), 0, 0));
}

template <class X, class Block, bool kHasHighBit>
void unpack_q4_k_or_q5_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, Block, kQK_K>(rows, row_bytes, n_rows, panel, [](const Block& block, const BlockOut<X>& out) {
    int8_t* q = out.q;
    for (int chunk = 0; chunk < 4; ++chunk) {
      const __m256i packed = load_bytes<X>(block.qs + 32 * chunk);
      __m256i low = low_nibbles<X>(packed);
      __m256i high = high_nibbles<X>(packed);
      if constexpr (kHasHighBit) {
        const __m256i qh = load_bytes<X>(block.qh);
        low = _mm256_or_si256(low, high_bits<X>(qh, 2 * chunk, 1, 4));
        high = _mm256_or_si256(high, high_bits<X>(qh, 2 * chunk + 1, 1, 4));
      }
      store_bytes<X>(q + 64 * chunk, low);
      store_bytes<X>(q + 64 * chunk + 32, high);
    }
    // One scale and min per 32 values: each covers two groups of 16.
    __m128i scales, mins;
    k4_scales_mins<X>(block.scales, scales, mins);
    store_groups<X>(out, _mm_unpacklo_epi16(scales, scales), _mm_unpackhi_epi16(scales, scales),
                    _mm_unpacklo_epi16(mins, mins), _mm_unpackhi_epi16(mins, mins));
    *out.d = f16_to_f32<X>(block.d);
    *out.m = f16_to_f32<X>(block.dmin);
  });
}

// Values 0..63 standing for −32..31: the offset becomes a min of 32·scale with m = d.
template <class X>
void unpack_q6_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockQ6_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ6_K& block, const BlockOut<X>& out) {
    int8_t* q = out.q;
    for (int half = 0; half < 2; ++half) {
      const __m256i ql0 = load_bytes<X>(block.ql + 64 * half);
      const __m256i ql1 = load_bytes<X>(block.ql + 64 * half + 32);
      const __m256i qh = load_bytes<X>(block.qh + 32 * half);
      const __m256i low[4] = {low_nibbles<X>(ql0), low_nibbles<X>(ql1), high_nibbles<X>(ql0), high_nibbles<X>(ql1)};
      for (int k = 0; k < 4; ++k) store_bytes<X>(q + 128 * half + 32 * k, _mm256_or_si256(low[k], high_bits<X>(qh, 2 * k, 3, 4)));
    }
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block.scales));
    const __m128i scales_low = _mm_cvtepi8_epi16(packed);
    const __m128i scales_high = _mm_cvtepi8_epi16(_mm_srli_si128(packed, 8));
    store_groups<X>(out, scales_low, scales_high, _mm_slli_epi16(scales_low, 5), _mm_slli_epi16(scales_high, 5));
    *out.d = *out.m = f16_to_f32<X>(block.d);
  });
}

// The 8 sub-scales of an IQ4_XS block, one per 32 values, as int16 lanes.
template <class X>
__m128i iq4_xs_scales(const BlockIQ4_XS& block) {
  alignas(16) int16_t scales[8];
  for (int sub_block = 0; sub_block < 8; ++sub_block) {
    const int low = (block.scales_l[sub_block / 2] >> (4 * (sub_block % 2))) & 0xF;
    const int high = (block.scales_h >> (2 * sub_block)) & 3;
    scales[sub_block] = signed_six_bit_scale<X>(low, high);
  }
  return _mm_load_si128(reinterpret_cast<const __m128i*>(scales));
}

template <class X>
void unpack_iq4_xs(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<X, BlockIQ4_XS, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockIQ4_XS& block, const BlockOut<X>& out) {
    for (int sub_block = 0; sub_block < 8; ++sub_block) {
      store_bytes<X>(out.q + 32 * sub_block, lookup<X>(nibbles<X>(block.qs + 16 * sub_block), &kIq4nlValues));
    }
    const __m128i per_32 = iq4_xs_scales<X>(block);
    store_groups<X>(out, _mm_unpacklo_epi16(per_32, per_32), _mm_unpackhi_epi16(per_32, per_32), _mm_setzero_si128(),
                    _mm_setzero_si128());
    *out.d = f16_to_f32<X>(block.d);
    *out.m = 0.0f;
  });
}

// ---------------------------------------------------------------- dot products on panels

// How a 256-value format's min term enters: none (IQ4_XS), an integer offset subtracted before the float
// scale as llama.cpp does for Q3_K / Q6_K (m = d), or a float term of its own (Q2_K, Q4_K, Q5_K).
enum class MinTerm { none, integer_offset, float_min };

// Four activation bytes in every 32-bit lane: the same four values meet each row.
template <class X>
__m256i broadcast_4_bytes(const int8_t* p) {
  int32_t word;
  __builtin_memcpy(&word, p, 4);
  return _mm256_set1_epi32(word);
}

// Lane r of v into y[r] for r < n_rows.
template <class X>
void store_rows(__m256 v, int64_t n_rows, float* y) {
  if (n_rows == kPanelRows) {
    _mm256_storeu_ps(y, v);
    return;
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  for (int64_t r = 0; r < n_rows; ++r) y[r] = lanes[r];
}

// kPanelRows × Tokens outputs of a 32-value format: per block, int32 lanes of w·x (one row per lane), then
// d_w·d_x·(w·x) (+ m·s) in float.
template <class X, bool kSigned, bool kHasMin, int Tokens>
void blocks32_tile(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token, float* y,
                   int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / 32;
  __m256 acc[Tokens];
  for (int t = 0; t < Tokens; ++t) acc[t] = _mm256_setzero_ps();
  const int8_t* xq = x.q + first_token * n_in;
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m256i sums[Tokens];
    for (int t = 0; t < Tokens; ++t) sums[t] = _mm256_setzero_si256();
    // Unrolled whole, the compiler hoists the products of all 8 groups ahead of the sums and spills them.
#pragma GCC unroll 2
    for (int g = 0; g < 8; ++g) {
      const __m256i w = load_bytes<X>(panel.q + 256 * b + 32 * g);
      const __m256i w_unsigned = kSigned ? _mm256_sign_epi8(w, w) : w;
      for (int t = 0; t < Tokens; ++t) {
        const __m256i xb = broadcast_4_bytes<X>(xq + t * n_in + 32 * b + 4 * g);
        sums[t] = _mm256_add_epi32(sums[t], X::dot_u8i8(w_unsigned, kSigned ? _mm256_sign_epi8(xb, w) : xb));
      }
    }
    const __m256 dw = _mm256_loadu_ps(panel.d + 8 * b);
    for (int t = 0; t < Tokens; ++t) {
      const int64_t x_block = (first_token + t) * n_blocks + b;
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[t]), _mm256_mul_ps(dw, _mm256_set1_ps(x.d[x_block])), acc[t]);
      if constexpr (kHasMin) acc[t] = _mm256_fmadd_ps(_mm256_loadu_ps(panel.m + 8 * b), _mm256_set1_ps(x.s[x_block]), acc[t]);
    }
  }
  for (int t = 0; t < Tokens; ++t) store_rows<X>(acc[t], n_rows, y + t * y_stride);
}

// Adds super-block b to acc[t], given sums[t], the int32 lanes of Σ scale·(w·x) over its 16 groups: the min
// term, then one float multiply-add per token (two with a float min).
template <class X, MinTerm kMin, int Tokens>
void finish_super_block(const WeightPanel& panel, const QuantizedActivations& x, int64_t first_token, int64_t b,
                        const __m256i (&sums)[Tokens], __m256 (&acc)[Tokens]) {
  const int64_t n_blocks = panel.n_in / kQK_K;
  __m256i min_terms[Tokens];
  if constexpr (kMin != MinTerm::none) {
    for (int t = 0; t < Tokens; ++t) min_terms[t] = _mm256_setzero_si256();
    for (int pair = 0; pair < 8; ++pair) {
      const __m256i mins = load_bytes<X>(panel.mins + (8 * b + pair) * 16);
      for (int t = 0; t < Tokens; ++t) {
        const int16_t* bsums = x.bsums + ((first_token + t) * n_blocks + b) * 16 + 2 * pair;
        min_terms[t] = _mm256_add_epi32(min_terms[t], _mm256_madd_epi16(mins, broadcast_4_bytes<X>(reinterpret_cast<const int8_t*>(bsums))));
      }
    }
  }
  const __m256 dw = _mm256_loadu_ps(panel.d + 8 * b);
  for (int t = 0; t < Tokens; ++t) {
    const __m256 dx = _mm256_set1_ps(x.d[(first_token + t) * n_blocks + b]);
    __m256i total = sums[t];
    if constexpr (kMin == MinTerm::integer_offset) total = _mm256_sub_epi32(total, min_terms[t]);
    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_mul_ps(dw, dx), acc[t]);
    if constexpr (kMin == MinTerm::float_min) {
      acc[t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(min_terms[t]), _mm256_mul_ps(_mm256_loadu_ps(panel.m + 8 * b), dx), acc[t]);
    }
  }
}

// kPanelRows × Tokens outputs of a 256-value format: per super-block, int32 lanes of Σ scale·(w·x) over its 16
// groups, then finish_super_block.
template <class X, bool kSigned, MinTerm kMin, int Tokens>
void super_blocks_tile(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
                       float* y, int64_t y_stride) {
  const int64_t n_in = panel.n_in;
  const int64_t n_blocks = n_in / kQK_K;
  __m256 acc[Tokens];
  for (int t = 0; t < Tokens; ++t) acc[t] = _mm256_setzero_ps();
  const int8_t* xq = x.q + first_token * n_in;
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m256i sums[Tokens];
    for (int t = 0; t < Tokens; ++t) sums[t] = _mm256_setzero_si256();
    // As in blocks32_tile: unrolled whole, the products are hoisted ahead of the sums and spilled.
#pragma GCC unroll 1
    for (int group = 0; group < 16; ++group) {
      const __m256i scales = load_bytes<X>(panel.scales + (16 * b + group) * 16);
      for (int g = 0; g < 4; ++g) {
        const int64_t value = kQK_K * b + 16 * group + 4 * g;
        const __m256i w = load_bytes<X>(panel.q + 8 * value);
        const __m256i w_unsigned = kSigned ? _mm256_sign_epi8(w, w) : w;
        for (int t = 0; t < Tokens; ++t) {
          const __m256i xb = broadcast_4_bytes<X>(xq + t * n_in + value);
          const __m256i xs = kSigned ? _mm256_sign_epi8(xb, w) : xb;
          sums[t] = _mm256_add_epi32(sums[t], _mm256_madd_epi16(_mm256_maddubs_epi16(w_unsigned, xs), scales));
        }
      }
    }
    finish_super_block<X, kMin, Tokens>(panel, x, first_token, b, sums, acc);
  }
  for (int t = 0; t < Tokens; ++t) store_rows<X>(acc[t], n_rows, y + t * y_stride);
}

// PanelDotFn over a tile template: picks the instantiation for n_tokens ≤ kPanelTokens.
template <template <int> class Tile>
void panel_dot(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x, int64_t first_token,
               int64_t n_tokens, float* y, int64_t y_stride) {
  static_assert(kPanelTokens == 4, "the switch below lists every tile shape");
  switch (n_tokens) {
    case 1: return Tile<1>::run(panel, n_rows, x, first_token, y, y_stride);
    case 2: return Tile<2>::run(panel, n_rows, x, first_token, y, y_stride);
    case 3: return Tile<3>::run(panel, n_rows, x, first_token, y, y_stride);
    default: return Tile<4>::run(panel, n_rows, x, first_token, y, y_stride);
  }
}

template <class X, bool kSigned, bool kHasMin>
struct Blocks32 {
  template <int Tokens>
  struct Tile {
    static void run(const WeightPanel& p, int64_t rows, const QuantizedActivations& x, int64_t t0, float* y, int64_t ys) {
      blocks32_tile<X, kSigned, kHasMin, Tokens>(p, rows, x, t0, y, ys);
    }
  };
};

template <class X, bool kSigned, MinTerm kMin>
struct SuperBlocks {
  template <int Tokens>
  struct Tile {
    static void run(const WeightPanel& p, int64_t rows, const QuantizedActivations& x, int64_t t0, float* y, int64_t ys) {
      super_blocks_tile<X, kSigned, kMin, Tokens>(p, rows, x, t0, y, ys);
    }
  };
};

template <class X>
void set_panel_kernels(Kernels& table, WeightFormat format, UnpackWeightsFn unpack, PanelDotFn dot) {
  table.quant_linear[static_cast<size_t>(format) - kFloatWeightFormatCount].unpack = unpack;
  table.quant_linear[static_cast<size_t>(format) - kFloatWeightFormatCount].dot = dot;
}

// Fills the quantized linear entries of `table`.
template <class X>
void install_quant_tables(Kernels& table) {
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_0)] = quantize_q8_32<X, false>;
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_1)] = quantize_q8_32<X, true>;
  table.quantize_activations[static_cast<size_t>(ActivationFormat::q8_k)] = quantize_q8_k<X>;

  const PanelDotFn signed32 = panel_dot<Blocks32<X, true, false>::template Tile>;
  const PanelDotFn unsigned32_min = panel_dot<Blocks32<X, false, true>::template Tile>;
  const PanelDotFn float_min256 = panel_dot<SuperBlocks<X, false, MinTerm::float_min>::template Tile>;
  const PanelDotFn offset256 = panel_dot<SuperBlocks<X, false, MinTerm::integer_offset>::template Tile>;
  const PanelDotFn signed256 = panel_dot<SuperBlocks<X, true, MinTerm::none>::template Tile>;

  const auto set = [&table](WeightFormat format, UnpackWeightsFn unpack, PanelDotFn dot) {
    set_panel_kernels<X>(table, format, unpack, dot);
  };
  set(WeightFormat::q4_0, unpack_q4_0<X>, signed32);
  set(WeightFormat::q4_1, unpack_q4_1<X>, unsigned32_min);
  set(WeightFormat::q5_0, unpack_q5_0<X>, signed32);
  set(WeightFormat::q5_1, unpack_q5_1<X>, unsigned32_min);
  set(WeightFormat::q8_0, unpack_q8_0<X>, signed32);
  set(WeightFormat::q2_k, unpack_q2_k<X>, float_min256);
  set(WeightFormat::q3_k, unpack_q3_k<X>, offset256);
  set(WeightFormat::q4_k, unpack_q4_k_or_q5_k<X, BlockQ4_K, false>, float_min256);
  set(WeightFormat::q5_k, unpack_q4_k_or_q5_k<X, BlockQ5_K, true>, float_min256);
  set(WeightFormat::q6_k, unpack_q6_k<X>, offset256);
  set(WeightFormat::iq4_nl, unpack_iq4_nl<X>, signed32);
  set(WeightFormat::iq4_xs, unpack_iq4_xs<X>, signed256);
  set(WeightFormat::mxfp4, unpack_mxfp4<X>, signed32);
}

}  // namespace hearth::cpu::simd_x86
