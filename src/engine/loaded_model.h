#pragma once
// A model ready to generate: the decoder, its tokenizer and chat format, and the sampling defaults its file
// recommends, all read from one GGUF.
#include <filesystem>
#include <memory>
#include <string>

#include "chat/chat_format.h"
#include "core/result.h"
#include "engine/sampling_defaults.h"
#include "models/text_model.h"
#include "tokenizer/tokenizer.h"

namespace hearth::engine {

struct LoadedModel {
  std::string architecture;
  std::unique_ptr<models::TextModel> model;
  tokenizer::Tokenizer tokenizer;
  std::unique_ptr<chat::ChatFormat> chat;  // null when no chat format fits the model: raw prompts only
  SamplingOptions recommended_sampling;    // GGUF general.sampling.*
  SamplingOptions family_sampling;         // the architecture's published defaults
  double load_seconds = 0.0;

  // Resolves request options against the model's and family's defaults.
  Result<SamplingParams> sampling_for(const SamplingOptions& request) const {
    return resolve_sampling_params(request, recommended_sampling, family_sampling);
  }
};

Result<std::shared_ptr<LoadedModel>> load_model(const std::filesystem::path& path);

}  // namespace hearth::engine
