#pragma once
// A random-weight Gemma 4 audio projector (a `clip` GGUF holding only the `gemma4a` tower, llama.cpp's
// naming, spec/gemma4.md §3.4) at the E2B / E4B shape, for measuring the audio encoder at its real size.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/result.h"
#include "synth/tensor_plan.h"

namespace hearth::synth {

struct AudioTowerShape {
  uint32_t n_embd = 1024;
  uint32_t n_ff = 4096;
  uint32_t n_layer = 12;
  uint32_t n_head = 8;
  uint32_t n_mel = 128;
  uint32_t sscp_channels[2] = {128, 32};
  uint32_t conv_kernel = 5;
  uint32_t n_output_proj = 1536;
  uint32_t n_embd_text = 1536;  // the text model's width: E2B 1536, E4B 2560
};

// Convolutions and 1-D tensors are F32 as the converters store them; `weight_type` (F16 or F32) is used for
// the matrices.
std::vector<PlannedTensor> plan_audio_projector_tensors(const AudioTowerShape& shape, TensorType weight_type);

Status write_synth_audio_projector(const AudioTowerShape& shape, TensorType weight_type, uint64_t seed, unsigned threads,
                                   const std::filesystem::path& path, const std::function<void(size_t done, size_t total)>& on_tensor = {});

}  // namespace hearth::synth
