#pragma once
// Gemma 4's ClippableLinear (spec/gemma4.md §5.5): a linear layer whose input and output are clamped to
// bounds stored beside the weight; absent bounds leave values unchanged. Shared by the audio and vision towers.
#include <limits>

#include "cpu/ops.h"

namespace hearth::models::gemma4 {

struct ClippableLinear {
  cpu::WeightMatrix weight;
  float input_min = -std::numeric_limits<float>::infinity();
  float input_max = std::numeric_limits<float>::infinity();
  float output_min = -std::numeric_limits<float>::infinity();
  float output_max = std::numeric_limits<float>::infinity();
};

}  // namespace hearth::models::gemma4
