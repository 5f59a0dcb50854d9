#pragma once
// Gemma 4 vision tower weights (spec/gemma4.md §3.3): matrices stay in the memory-mapped GGUF, 1-D tensors
// and clamp bounds are decoded to f32 at load. Names are the same in llama.cpp mmproj files and in Ollama
// single-file models.
#include <vector>

#include "core/result.h"
#include "cpu/ops.h"
#include "gguf/gguf_file.h"
#include "models/gemma4/vision_config.h"
#include "models/gemma4/clippable_linear.h"

namespace hearth::models::gemma4 {

// ClippableLinear bounds come from the F32 scalars `<name>.input_min/.input_max/.output_min/.output_max`, or
// Ollama's packed v.clamp_data.
struct VisionLayerWeights {
  std::vector<float> ln1, attn_q_norm, attn_k_norm, attn_post_norm, ln2, ffn_post_norm;
  ClippableLinear attn_q, attn_k, attn_v, attn_out, ffn_gate, ffn_up, ffn_down;
  float out_scale = 1.0f;  // 1 when v.blk.N.out_scale.weight is absent
};

struct VisionWeights {
  cpu::WeightMatrix patch_embd;  // [Dv, 3·p·p]: a patch flattened as (channel, row, column)
  std::vector<float> position_x, position_y;  // [position_table_size, Dv] each: by patch column / row
  std::vector<VisionLayerWeights> layers;
  std::vector<float> std_bias, std_scale;     // both empty when the model does not standardise
  ClippableLinear projection;                 // mm.input_projection: Dv → text width
};

// Binds every tensor of the tower; a missing required tensor, a wrong shape or an unusable type is an error
// naming the tensor. The weights point into `file`, which must outlive them.
Result<VisionWeights> load_vision_weights(const gguf::GgufFile& file, const VisionConfig& config);

}  // namespace hearth::models::gemma4
