#pragma once
// Per-tensor type choice for a quantization preset: llama.cpp's `llama_tensor_get_type` rules
// (src/llama-quant.cpp) for the presets hearth offers, so a hearth Q4_K_M has the same mix as a llama.cpp one.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "quantize/presets.h"
#include "tensor/types.h"

namespace hearth::quantize {

// The hyper-parameters the rules look at; absent keys read as 0 (head_count_kv defaults to head_count).
struct MixModel {
  std::string architecture;
  int64_t block_count = 0;
  int64_t expert_count = 0;
  int64_t head_count = 0;
  int64_t head_count_kv = 0;
};

MixModel read_mix_model(const gguf::GgufFile& file);

struct MixPlan {
  std::vector<TensorType> types;      // one per input tensor, same order
  std::vector<std::string> fallbacks;  // one message per tensor whose row length forced another type
};

// `pure` applies the preset's base type to every quantizable tensor, skipping the mix rules (but not the
// row-length fallbacks), like llama-quantize --pure.
Result<MixPlan> plan_tensor_types(const MixModel& model, const QuantPreset& preset, bool pure,
                                  std::span<const gguf::TensorInfo> tensors);

// Whether llama.cpp ever quantizes this tensor: matrices named *weight, minus norms, routers, positional
// tables, convolution kernels and a list of small special tensors.
bool allows_quantization(const gguf::TensorInfo& tensor);

}  // namespace hearth::quantize
