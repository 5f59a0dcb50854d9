#pragma once
// Gemma 4 vision tower hyperparameters (spec/gemma4.md §2.3, §2.4, §5) from a llama.cpp mmproj GGUF
// (`clip.vision.*` keys) or from an Ollama single-file GGUF (`gemma4.vision.*` keys, the tower embedded
// beside the text model). Widths that tensors also carry (projection width, position table size) come
// from the tensors, so nothing is hard-coded.
#include <array>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "gguf/gguf_file.h"

namespace hearth::models::gemma4 {

enum class VisionActivation {
  // x·σ(1.702x) as llama.cpp evaluates it: the input rounded to F16, the result looked up in an F16 table.
  // What llama.cpp and Ollama run for gemma4 files, which carry no clip.use_gelu key (§5.3).
  gelu_quick_f16,
  gelu_tanh,  // HF's gelu_pytorch_tanh, when the file sets clip.use_gelu
};

struct VisionConfig {
  int64_t n_layer = 0;
  int64_t n_embd = 0;       // Dv
  int64_t n_head = 0;
  int64_t head_dim = 0;     // Dv / heads; each half is rotated by one image axis (§5.4)
  int64_t n_ff = 0;
  int64_t patch_size = 0;   // p: patches are p×p pixels
  int64_t n_merge = 0;      // pooling kernel: n_merge×n_merge patches become one soft token
  int64_t position_table_size = 0;  // rows of each position table: the largest patch column/row + 1
  int64_t n_embd_text = 0;  // soft-token width: the projection's output
  float eps = 1e-6f;
  float rope_theta = 100.0f;
  std::array<float, 3> image_mean = {0, 0, 0};
  std::array<float, 3> image_std = {1, 1, 1};
  VisionActivation activation = VisionActivation::gelu_quick_f16;

  // Pixels a soft token covers along each side.
  int64_t token_pixels() const { return patch_size * n_merge; }
};

// Whether `file` holds a Gemma 4 vision tower (an mmproj with a gemma4v projector, or an Ollama-style
// model with gemma4.vision keys).
bool has_vision_tower(const gguf::GgufFile& file);

// Errors name the key or tensor and what was expected.
Result<VisionConfig> load_vision_config(const gguf::GgufFile& file);

}  // namespace hearth::models::gemma4
