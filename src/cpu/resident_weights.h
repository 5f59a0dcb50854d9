#pragma once
// Load-time placement of the dense weight matrices that decode reads once per token. They are copied out
// of the file mapping into one HugePageArena (huge_page_arena.h): 2 MiB pages, where the machine allows,
// spare decode a TLB miss and a prefetcher restart every 4 KiB. On the way, the matrices the kernels read
// faster in interleaved groups are repacked (interleaved_weights.h); the others keep their stored rows.
// Model code hands over its matrices and never sees where or how they are kept.
//
// Measured on a 2-core Xeon with AVX-512 (docs/performance.md): E2B Q4_K_M decode from 4 KiB anonymous
// pages 8.5 t/s, from 2 MiB pages 10.2 t/s.
#include <cstddef>
#include <functional>
#include <span>

#include "cpu/huge_page_arena.h"
#include "cpu/ops.h"

namespace hearth::cpu {

// Whether models should place their matrices at load: true unless the environment sets HEARTH_CPU_REPACK=0
// (llama.cpp's --no-repack: faster loading, the weights stay in the file mapping as stored, slower decode).
bool repacking_enabled();

class ResidentWeights {
 public:
  // Called with the bytes of each original matrix once it has been copied (its file pages can go).
  using ReleaseFn = std::function<void(const void* data, size_t bytes)>;

  ResidentWeights() = default;

  // Points every matrix of `matrices` that has data at its copy (matrices sharing data share the copy). Leaves
  // them all as they are when placement is disabled or the arena cannot be mapped.
  static ResidentWeights place(const OpContext& ctx, std::span<WeightMatrix* const> matrices, const ReleaseFn& release);

  bool placed() const { return arena_.ok(); }

 private:
  HugePageArena arena_;
};

}  // namespace hearth::cpu
