// The AVX-512 kernel table (Zen 4, Sapphire Rapids and later: F, DQ, BW, VL, VNNI, BF16). Compiled with the
// flags in isa.cmake when the compiler accepts them; only reached after cpu_supports(Isa::avx512). See
// simd_kernels.h for what may be included here.
// GCC 12 reports its own _mm512_undefined_* placeholders inside the AVX-512 intrinsics as uninitialised
// (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "cpu/install_tables.h"
#include "cpu/kernels_install.h"

namespace hearth::cpu {
namespace {

struct Avx512 {
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int64_t kLanes = 16;
  // 12 tokens × 2 vectors = 24 accumulators, + 2 weight vectors + 1 broadcast = 27 of the 32 zmm registers.
  static constexpr int kGemmRows = 12;

  static __mmask16 lane_mask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float v) { return _mm512_set1_ps(v); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg load_partial(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(lane_mask(n), p); }
  static void store_partial(float* p, Reg v, int64_t n) { _mm512_mask_storeu_ps(p, lane_mask(n), v); }

  static __m256i load_halves(const uint16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static __m256i load_halves_partial(const uint16_t* p, int64_t n) { return _mm256_maskz_loadu_epi16(lane_mask(n), p); }
  static void store_halves(uint16_t* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static void store_halves_partial(uint16_t* p, __m256i v, int64_t n) { _mm256_mask_storeu_epi16(p, lane_mask(n), v); }

  static Reg f16_to_f32(__m256i h) { return _mm512_cvtph_ps(h); }
  static __m256i f32_to_f16(Reg v) { return _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT); }
  static Reg bf16_to_f32(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
  // Integer rounding rather than vcvtneps2bf16, which flushes subnormals and so differs from ggml.
  static __m256i f32_to_bf16(Reg v) {
    const __m512i bits = _mm512_castps_si512(v);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(0x7FFF)), lsb), 16);
    const __m512i quiet_nan = _mm512_or_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(0x40));
    const __mmask16 is_nan =
        _mm512_cmpgt_epi32_mask(_mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF)), _mm512_set1_epi32(0x7F800000));
    return _mm512_cvtepi32_epi16(_mm512_mask_blend_epi32(is_nan, rounded, quiet_nan));
  }

  static Reg load_f16(const uint16_t* p) { return f16_to_f32(load_halves(p)); }
  static Reg load_f16_partial(const uint16_t* p, int64_t n) { return f16_to_f32(load_halves_partial(p, n)); }
  static void store_f16(uint16_t* p, Reg v) { store_halves(p, f32_to_f16(v)); }
  static void store_f16_partial(uint16_t* p, Reg v, int64_t n) { store_halves_partial(p, f32_to_f16(v), n); }
  static Reg load_bf16(const uint16_t* p) { return bf16_to_f32(load_halves(p)); }
  static Reg load_bf16_partial(const uint16_t* p, int64_t n) { return bf16_to_f32(load_halves_partial(p, n)); }
  static void store_bf16(uint16_t* p, Reg v) { store_halves(p, f32_to_bf16(v)); }
  static void store_bf16_partial(uint16_t* p, Reg v, int64_t n) { store_halves_partial(p, f32_to_bf16(v), n); }

  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm512_div_ps(a, b); }
  static Reg mul_add(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg neg_mul_add(Reg a, Reg b, Reg c) { return _mm512_fnmadd_ps(a, b, c); }
  static Reg min(Reg a, Reg b) { return _mm512_min_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static Reg abs(Reg a) { return _mm512_abs_ps(a); }

  static Mask less(Reg a, Reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static Mask first_lanes(int64_t n) { return n >= kLanes ? static_cast<__mmask16>(0xFFFF) : lane_mask(n); }
  static Reg select(Mask m, Reg if_true, Reg if_false) { return _mm512_mask_blend_ps(m, if_false, if_true); }

  static Reg round_nearest(Reg v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static Reg pow2(Reg n) {
    const __m512i biased = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(biased, 23));
  }
  static Reg split_exponent(Reg x, Reg& exponent) {
    const __m512i bits = _mm512_castps_si512(x);
    const __m512i biased = _mm512_and_si512(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(0xFF));
    exponent = _mm512_cvtepi32_ps(_mm512_sub_epi32(biased, _mm512_set1_epi32(126)));
    const __m512i mantissa = _mm512_and_si512(bits, _mm512_set1_epi32(static_cast<int>(0x807FFFFFu)));
    return _mm512_castsi512_ps(_mm512_or_si512(mantissa, _mm512_set1_epi32(0x3F000000)));
  }
  static Reg swap_pairs(Reg v) { return _mm512_permute_ps(v, 0xB1); }

  static float reduce_add(Reg v) { return _mm512_reduce_add_ps(v); }
  static float reduce_max(Reg v) { return _mm512_reduce_max_ps(v); }
  static int64_t first_lane_equal(Reg v, Reg value) {
    const unsigned bits = _mm512_cmp_ps_mask(v, value, _CMP_EQ_OQ);
    return bits == 0 ? -1 : __builtin_ctz(bits);
  }
};

}  // namespace

void install_avx512_kernels(Kernels& table) {
  table.isa = Isa::avx512;
  simd::install_tables<Avx512>(table);
}

}  // namespace hearth::cpu
