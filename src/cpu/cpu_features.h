#pragma once
// What the CPU we run on can execute, detected once at startup, and the kernel level chosen from it.
#include <optional>
#include <string_view>

namespace hearth::cpu {

struct CpuFeatures {
  // x86: each flag also requires the OS to save the matching register state (xgetbv).
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512dq = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  // aarch64
  bool neon = false;
  bool dotprod = false;
};

// Kernel levels, each a separately compiled translation unit. On x86 they are ordered: a CPU that runs a
// level runs every lower one. avx512 is the Zen 4 / Sapphire Rapids level (F, DQ, BW, VL, VNNI, BF16); older
// AVX-512 CPUs run the avx2 kernels.
enum class Isa { scalar, avx2, avx512, neon };

const CpuFeatures& cpu_features();

bool cpu_supports(Isa isa);
std::string_view isa_name(Isa isa);
std::optional<Isa> isa_from_name(std::string_view name);

// The level the kernels run at: the best one that the binary holds and the CPU supports, lowered to
// HEARTH_CPU_ISA when that names a lower level (a higher one is ignored, since it would crash).
Isa selected_isa();

}  // namespace hearth::cpu
