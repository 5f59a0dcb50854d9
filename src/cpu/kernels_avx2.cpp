// The AVX2 + FMA + F16C kernel table (Haswell, Zen 1 and later). Compiled with -mavx2 -mfma -mf16c (isa.cmake);
// only reached after cpu_supports(Isa::avx2). See simd_kernels.h for what may be included here.
#include <immintrin.h>

#include "cpu/install_tables.h"
#include "cpu/kernels_install.h"

namespace hearth::cpu {
namespace {

struct Avx2 {
  using Reg = __m256;
  using Mask = __m256;
  static constexpr int64_t kLanes = 8;
  // 6 tokens × 2 vectors = 12 accumulators, + 2 weight vectors + 1 broadcast = 15 of the 16 ymm registers.
  static constexpr int kGemmRows = 6;

  static __m256i lane_mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }

  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float v) { return _mm256_set1_ps(v); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg load_partial(const float* p, int64_t n) { return _mm256_maskload_ps(p, lane_mask(n)); }
  static void store_partial(float* p, Reg v, int64_t n) { _mm256_maskstore_ps(p, lane_mask(n), v); }

  static __m128i load_halves_partial(const uint16_t* p, int64_t n) {
    alignas(16) uint16_t halves[8] = {};
    for (int64_t i = 0; i < n; ++i) halves[i] = p[i];
    return _mm_load_si128(reinterpret_cast<const __m128i*>(halves));
  }
  static void store_halves_partial(uint16_t* p, __m128i v, int64_t n) {
    alignas(16) uint16_t halves[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(halves), v);
    for (int64_t i = 0; i < n; ++i) p[i] = halves[i];
  }

  static Reg f16_to_f32(__m128i h) { return _mm256_cvtph_ps(h); }
  static __m128i f32_to_f16(Reg v) { return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT); }
  static Reg bf16_to_f32(__m128i h) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)); }
  // Round to nearest even on the bit pattern, NaN kept quiet, as f32_to_bf16 in tensor/fp16.h.
  static __m128i f32_to_bf16(Reg v) {
    const __m256i bits = _mm256_castps_si256(v);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
    const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(0x7FFF)), lsb), 16);
    const __m256i quiet_nan = _mm256_or_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(0x40));
    const __m256i is_nan = _mm256_cmpgt_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(0x7F800000));
    const __m256i words = _mm256_blendv_epi8(rounded, quiet_nan, is_nan);
    // packus works within 128-bit halves; gather the two low quadwords into the low half.
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(words, words), 0x08));
  }

  static Reg load_f16(const uint16_t* p) { return f16_to_f32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static Reg load_f16_partial(const uint16_t* p, int64_t n) { return f16_to_f32(load_halves_partial(p, n)); }
  static void store_f16(uint16_t* p, Reg v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), f32_to_f16(v)); }
  static void store_f16_partial(uint16_t* p, Reg v, int64_t n) { store_halves_partial(p, f32_to_f16(v), n); }
  static Reg load_bf16(const uint16_t* p) { return bf16_to_f32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static Reg load_bf16_partial(const uint16_t* p, int64_t n) { return bf16_to_f32(load_halves_partial(p, n)); }
  static void store_bf16(uint16_t* p, Reg v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), f32_to_bf16(v)); }
  static void store_bf16_partial(uint16_t* p, Reg v, int64_t n) { store_halves_partial(p, f32_to_bf16(v), n); }

  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm256_div_ps(a, b); }
  static Reg mul_add(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg neg_mul_add(Reg a, Reg b, Reg c) { return _mm256_fnmadd_ps(a, b, c); }
  static Reg min(Reg a, Reg b) { return _mm256_min_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static Reg abs(Reg a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }

  static Mask less(Reg a, Reg b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static Mask first_lanes(int64_t n) { return _mm256_castsi256_ps(lane_mask(n)); }
  static Reg select(Mask m, Reg if_true, Reg if_false) { return _mm256_blendv_ps(if_false, if_true, m); }

  static Reg round_nearest(Reg v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static Reg pow2(Reg n) {
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23));
  }
  static Reg split_exponent(Reg x, Reg& exponent) {
    const __m256i bits = _mm256_castps_si256(x);
    const __m256i biased = _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xFF));
    exponent = _mm256_cvtepi32_ps(_mm256_sub_epi32(biased, _mm256_set1_epi32(126)));
    const __m256i mantissa = _mm256_and_si256(bits, _mm256_set1_epi32(static_cast<int>(0x807FFFFFu)));
    return _mm256_castsi256_ps(_mm256_or_si256(mantissa, _mm256_set1_epi32(0x3F000000)));
  }
  static Reg swap_pairs(Reg v) { return _mm256_permute_ps(v, 0xB1); }

  static float reduce_add(Reg v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float reduce_max(Reg v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static int64_t first_lane_equal(Reg v, Reg value) {
    const int bits = _mm256_movemask_ps(_mm256_cmp_ps(v, value, _CMP_EQ_OQ));
    return bits == 0 ? -1 : __builtin_ctz(static_cast<unsigned>(bits));
  }
};

}  // namespace

void install_avx2_kernels(Kernels& table) {
  table.isa = Isa::avx2;
  simd::install_tables<Avx2>(table);
}

}  // namespace hearth::cpu
