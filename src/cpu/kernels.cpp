#include "cpu/kernels.h"

#include "cpu/kernels_install.h"

namespace hearth::cpu {
namespace {

struct KernelTables {
  Kernels scalar;
  Kernels avx2;
  Kernels avx512;
  Kernels neon;
};

// HEARTH_CPU_HAS_* come from src/cpu/isa.cmake: set when the per-ISA file was compiled into this binary.
// A level's install function is itself compiled with that level's flags (even copying the table may use
// its registers), so it only runs on a CPU that supports the level.
const KernelTables& tables() {
  static const KernelTables built = [] {
    KernelTables t;
    install_scalar_kernels(t.scalar);
    install_scalar_quant_kernels(t.scalar);
    t.avx2 = t.scalar;
    t.avx2.isa = Isa::avx2;
#if defined(HEARTH_CPU_HAS_AVX2)
    if (cpu_supports(Isa::avx2)) {
      install_avx2_kernels(t.avx2);
      install_avx2_quant_kernels(t.avx2);
    }
#endif
    t.avx512 = t.avx2;
    t.avx512.isa = Isa::avx512;
#if defined(HEARTH_CPU_HAS_AVX512)
    if (cpu_supports(Isa::avx512)) {
      install_avx512_kernels(t.avx512);
      install_avx512_quant_kernels(t.avx512);
    }
#endif
    t.neon = t.scalar;
    t.neon.isa = Isa::neon;
#if defined(HEARTH_CPU_HAS_NEON)
    if (cpu_supports(Isa::neon)) {
      install_neon_kernels(t.neon);
      install_neon_quant_kernels(t.neon);
    }
#endif
    return t;
  }();
  return built;
}

}  // namespace

const Kernels* kernels_for(Isa isa) {
  if (!cpu_supports(isa)) return nullptr;
  switch (isa) {
    case Isa::scalar: return &tables().scalar;
#if defined(HEARTH_CPU_HAS_AVX2)
    case Isa::avx2: return &tables().avx2;
#endif
#if defined(HEARTH_CPU_HAS_AVX512)
    case Isa::avx512: return &tables().avx512;
#endif
#if defined(HEARTH_CPU_HAS_NEON)
    case Isa::neon: return &tables().neon;
#endif
    default: return nullptr;
  }
}

const Kernels& active_kernels() { return *kernels_for(selected_isa()); }

}  // namespace hearth::cpu
