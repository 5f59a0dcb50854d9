#pragma once
// A random-weight Gemma 4 vision projector (an mmproj GGUF with the gemma4v tower, spec/gemma4.md §2.3,
// §3.3), for measuring the image encoder at the real shape without the released weights.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "gguf/value.h"
#include "synth/tensor_plan.h"
#include "tensor/types.h"

namespace hearth::synth {

// Defaults: HF's Gemma4VisionConfig (spec §1.3), the tower of E2B and E4B.
struct VisionShape {
  uint32_t n_layer = 16;
  uint32_t n_embd = 768;
  uint32_t n_head = 12;
  uint32_t n_ff = 3072;
  uint32_t patch_size = 16;
  uint32_t position_table_size = 10240;
  uint32_t n_embd_text = 0;  // the text model's width: the projection's output
};

std::vector<PlannedTensor> plan_vision_projector_tensors(const VisionShape& shape, TensorType weight_type);
std::vector<gguf::KeyValue> vision_projector_metadata(const VisionShape& shape, const std::string& name, TensorType weight_type);

// weight_type (F16 or F32) is the type of the matrices and the position tables; norms are F32.
Status write_synth_vision_projector(const VisionShape& shape, TensorType weight_type, uint64_t seed, unsigned threads,
                                    const std::filesystem::path& path,
                                    const std::function<void(size_t done, size_t total)>& on_tensor = {});

}  // namespace hearth::synth
