// The quantized linear kernels on the AVX-512 level (Zen 4, Sapphire Rapids): the 256-bit kernels of
// simd_quant_x86.h and simd_gemv_x86.h with the VNNI byte dot product, which replaces maddubs + madd by one
// instruction, and the 512-bit panel kernels of simd_panels_avx512.h for the matrix-matrix products.
// Compiled with the AVX-512 flags of isa.cmake; only reached after cpu_supports(Isa::avx512).
// GCC 12 reports its own _mm512_undefined_* placeholders as uninitialised (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "cpu/kernels_install.h"
#include "cpu/simd_gemv_interleaved_x86.h"
#include "cpu/simd_gemv_x86.h"
#include "cpu/simd_panels_avx512.h"
#include "cpu/simd_quant_x86.h"

namespace hearth::cpu {
namespace {

struct Avx512VnniBytes {
  static __m256i dot_u8i8(__m256i u, __m256i s) { return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s); }
};

}  // namespace

void install_avx512_quant_kernels(Kernels& table) {
  simd_x86::install_quant_tables<Avx512VnniBytes>(table);
  simd_x86::install_pair_panel_tables<Avx512VnniBytes>(table);
  simd_x86::install_gemv_tables<Avx512VnniBytes>(table);
  simd_x86::install_interleaved_gemv_tables<Avx512VnniBytes>(table);
}

}  // namespace hearth::cpu
