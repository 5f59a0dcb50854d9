#pragma once
// The quantization targets `hearth quantize` offers, named as in llama.cpp's llama-quantize.
#include <cstdint>
#include <span>
#include <string_view>

#include "tensor/types.h"

namespace hearth::quantize {

struct QuantPreset {
  std::string_view name;  // "Q4_K_M"
  uint32_t file_type;     // llama_ftype, written to general.file_type
  TensorType base_type;   // the type of most matrices; the mix rules move some tensors up or down from it
};

std::span<const QuantPreset> quant_presets();
const QuantPreset* find_quant_preset(std::string_view name);  // case-insensitive

}  // namespace hearth::quantize
