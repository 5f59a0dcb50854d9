// The quantized linear kernels with AVX2: the panel kernels of simd_quant_x86.h and the matrix-vector ones of
// simd_gemv_x86.h. Compiled with -mavx2 -mfma -mf16c (isa.cmake); only reached after cpu_supports(Isa::avx2).
#include <immintrin.h>

#include "cpu/kernels_install.h"
#include "cpu/simd_gemv_interleaved_x86.h"
#include "cpu/simd_gemv_x86.h"
#include "cpu/simd_quant_x86.h"

namespace hearth::cpu {
namespace {

struct Avx2Bytes {
  // maddubs adds byte pairs into int16 (no saturation for the operand ranges of simd_quant_x86.h), madd
  // with ones the int16 pairs into int32.
  static __m256i dot_u8i8(__m256i u, __m256i s) { return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)); }
};

}  // namespace

void install_avx2_quant_kernels(Kernels& table) {
  simd_x86::install_quant_tables<Avx2Bytes>(table);
  simd_x86::install_gemv_tables<Avx2Bytes>(table);
  simd_x86::install_interleaved_gemv_tables<Avx2Bytes>(table);
}

}  // namespace hearth::cpu
