#pragma once
// Entry points of the per-instruction-set translation units, called once by kernels.cpp to build the
// tables. Each overwrites the entries of `table` that it accelerates and leaves the others as they are.
#include "cpu/kernels.h"

namespace hearth::cpu {

void install_scalar_kernels(Kernels& table);
// The scalar attention, conv1d and delta net blocks (kernels_scalar_sequence.cpp).
void install_scalar_sequence_kernels(Kernels& table);
void install_avx2_kernels(Kernels& table);
void install_avx512_kernels(Kernels& table);
void install_neon_kernels(Kernels& table);

// The quantized linear kernels (quant_kernels_*.cpp), installed after the level's other kernels.
void install_scalar_quant_kernels(Kernels& table);
void install_avx2_quant_kernels(Kernels& table);
void install_avx512_quant_kernels(Kernels& table);
void install_neon_quant_kernels(Kernels& table);

}  // namespace hearth::cpu
