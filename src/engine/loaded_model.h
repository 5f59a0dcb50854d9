#pragma once
// A model ready to generate: the decoder, its tokenizer and chat format, and the sampling defaults its file
// recommends, all read from one GGUF.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "chat/chat_format.h"
#include "core/result.h"
#include "engine/generation.h"
#include "engine/grammar/token_trie.h"
#include "engine/media_input.h"
#include "engine/sampling_defaults.h"
#include "models/text_model.h"
#include "tokenizer/tokenizer.h"

namespace hearth::engine {

struct LoadedModel {
  explicit LoadedModel(tokenizer::Tokenizer vocabulary) : tokenizer(std::move(vocabulary)) {}

  std::string architecture;
  std::unique_ptr<models::TextModel> model;
  tokenizer::Tokenizer tokenizer;
  std::unique_ptr<chat::ChatFormat> chat;  // null when no chat format fits the model: raw prompts only
  SamplingOptions recommended_sampling;    // GGUF general.sampling.*
  SamplingOptions family_sampling;         // the architecture's published defaults
  std::unique_ptr<MediaEncoders> media;    // null when neither the projector nor the model has a tower
  double load_seconds = 0.0;

  // The vocabulary's byte trie for output grammars, built on first use (it takes a fraction of a second).
  std::shared_ptr<const grammar::TokenTrie> token_trie() const;

  // The chat format's thinking channel as token ids, capped at `budget` thinking tokens (-1: no cap);
  // nullopt when the model cannot think.
  std::optional<ReasoningControl> reasoning_control(int32_t budget) const;

  // Resolves request options against the model's and family's defaults.
  Result<SamplingParams> sampling_for(const SamplingOptions& request) const {
    return resolve_sampling_params(request, recommended_sampling, family_sampling);
  }

 private:
  mutable std::once_flag trie_once_;
  mutable std::shared_ptr<const grammar::TokenTrie> trie_;
};

// `projector`: a projector GGUF with the image / audio towers; without one, towers embedded in the model
// file (Ollama's single files) are used when present.
Result<std::shared_ptr<LoadedModel>> load_model(const std::filesystem::path& path,
                                                const std::optional<std::filesystem::path>& projector = std::nullopt);

}  // namespace hearth::engine
