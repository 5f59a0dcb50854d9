#include "cpu/cpu_features.h"

#include <cstdint>
#include <cstdlib>

#include "cpu/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace hearth::cpu {
namespace {

#if defined(__x86_64__) || defined(__i386__)
struct CpuidRegisters {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidRegisters cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidRegisters r;
  if (!__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx)) return {};
  return r;
}

// Inline asm rather than _xgetbv so this file needs no -mxsave.
uint64_t read_xcr0() {
  uint32_t low = 0, high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<uint64_t>(high) << 32) | low;
}

bool bit(uint32_t value, int index) { return (value >> index) & 1u; }

CpuFeatures detect() {
  CpuFeatures features;
  const CpuidRegisters leaf1 = cpuid(1, 0);
  if (!bit(leaf1.ecx, 27)) return features;  // no OSXSAVE: the OS does not save AVX state
  const uint64_t xcr0 = read_xcr0();
  const bool os_saves_ymm = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
  const bool os_saves_zmm = os_saves_ymm && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM0-15 high, ZMM16-31
  const uint32_t max_leaf = cpuid(0, 0).eax;
  const CpuidRegisters leaf7 = max_leaf >= 7 ? cpuid(7, 0) : CpuidRegisters{};
  const CpuidRegisters leaf7_1 = leaf7.eax >= 1 ? cpuid(7, 1) : CpuidRegisters{};
  if (os_saves_ymm && bit(leaf1.ecx, 28)) {
    features.fma = bit(leaf1.ecx, 12);
    features.f16c = bit(leaf1.ecx, 29);
    features.avx2 = bit(leaf7.ebx, 5);
  }
  if (os_saves_zmm) {
    features.avx512f = bit(leaf7.ebx, 16);
    features.avx512dq = bit(leaf7.ebx, 17);
    features.avx512bw = bit(leaf7.ebx, 30);
    features.avx512vl = bit(leaf7.ebx, 31);
    features.avx512vnni = bit(leaf7.ecx, 11);
    features.avx512bf16 = bit(leaf7_1.eax, 5);
  }
  return features;
}
#elif defined(__aarch64__)
CpuFeatures detect() {
  CpuFeatures features;
  features.neon = true;  // mandatory in AArch64
#if defined(__linux__) && defined(HWCAP_ASIMDDP)
  features.dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
  return features;
}
#else
CpuFeatures detect() { return {}; }
#endif

Isa best_runnable_isa() {
  for (Isa isa : {Isa::avx512, Isa::avx2, Isa::neon}) {
    if (kernels_for(isa) != nullptr) return isa;
  }
  return Isa::scalar;
}

// Rank within the x86 order; neon has no order relative to the x86 levels.
int isa_rank(Isa isa) {
  switch (isa) {
    case Isa::scalar: return 0;
    case Isa::avx2: return 1;
    case Isa::avx512: return 2;
    case Isa::neon: return 1;
  }
  return 0;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

bool cpu_supports(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2: return f.avx2 && f.fma && f.f16c;
    case Isa::avx512:
      return cpu_supports(Isa::avx2) && f.avx512f && f.avx512dq && f.avx512bw && f.avx512vl && f.avx512vnni &&
             f.avx512bf16;
    case Isa::neon: return f.neon;
  }
  return false;
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::neon: return "neon";
  }
  return "unknown";
}

std::optional<Isa> isa_from_name(std::string_view name) {
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon}) {
    if (isa_name(isa) == name) return isa;
  }
  return std::nullopt;
}

Isa selected_isa() {
  static const Isa selected = [] {
    const Isa best = best_runnable_isa();
    const char* forced_name = std::getenv("HEARTH_CPU_ISA");
    if (forced_name == nullptr) return best;
    const std::optional<Isa> forced = isa_from_name(forced_name);
    if (!forced || kernels_for(*forced) == nullptr) return best;
    return isa_rank(*forced) <= isa_rank(best) ? *forced : best;
  }();
  return selected;
}

}  // namespace hearth::cpu
