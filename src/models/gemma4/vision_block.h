#pragma once
// The pieces of the vision encoder's forward pass over one image's patches (spec/gemma4.md §5.3–5.5).
// Activations are row-major [n_patches, width] f32 vectors.
#include <cstdint>
#include <vector>

#include "cpu/ops.h"
#include "models/gemma4/vision_config.h"
#include "models/gemma4/vision_weights.h"

namespace hearth::models::gemma4 {

struct VisionPass {
  cpu::OpContext ctx;
  cpu::LinearNumerics numerics;
  const VisionConfig& config;
  std::vector<int32_t> columns;  // [n_patches] patch column, the first RoPE half's position
  std::vector<int32_t> rows;     // [n_patches] patch row, the second half's position

  int64_t n_patches() const { return static_cast<int64_t>(columns.size()); }
};

// §5.5: clamp(W · clamp(x, in_min, in_max), out_min, out_max) for x [rows, n_in].
std::vector<float> clippable_linear(const VisionPass& pass, const std::vector<float>& x, const ClippableLinear& linear);

// §5.3: one encoder block, updating the residual stream h [n_patches, Dv] in place.
void vision_block(const VisionPass& pass, const VisionLayerWeights& w, std::vector<float>& h);

}  // namespace hearth::models::gemma4
