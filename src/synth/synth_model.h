#pragma once
// Writes a complete random-weight Gemma 4 GGUF: metadata, tokenizer and every tensor, streamed tensor by tensor
// through GgufWriter so the model never has to fit in memory.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/result.h"
#include "synth/gemma4_shape.h"
#include "tensor/types.h"

namespace hearth::synth {

struct SynthOptions {
  Gemma4Shape shape;
  std::string model_name;                   // general.name
  std::string chat_template;                // tokenizer.chat_template; empty for none
  uint64_t seed = 0;
  TensorType weight_type = TensorType::F16;  // F16 or F32
  unsigned threads = 1;
};

Status write_synth_model(const SynthOptions& options, const std::filesystem::path& path,
                         const std::function<void(size_t done, size_t total)>& on_tensor = {});

}  // namespace hearth::synth
