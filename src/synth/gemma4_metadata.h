#pragma once
// The metadata of a Gemma 4 text GGUF: general.*, every gemma4.* key of spec/gemma4.md §2.1 (scalar or
// per-layer array exactly where llama.cpp's converter picks one) and a synthetic gemma4 tokenizer.
#include <string_view>
#include <vector>

#include "gguf/value.h"
#include "synth/gemma4_shape.h"
#include "tensor/types.h"

namespace hearth::synth {

// weight_type is the type of the matrices (F16 or F32); it decides general.file_type. An empty chat_template
// writes no tokenizer.chat_template key.
std::vector<gguf::KeyValue> gemma4_metadata(const Gemma4Shape& shape, std::string_view model_name,
                                            TensorType weight_type, std::string_view chat_template);

}  // namespace hearth::synth
