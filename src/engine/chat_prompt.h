#pragma once
// Turns a conversation into the token prompt of one model: its chat format renders the text (the BOS
// marker included, as the real templates do), and the tokenizer reads the format's markers as special tokens.
#include "chat/chat_types.h"
#include "core/result.h"
#include "engine/generation.h"
#include "engine/loaded_model.h"

namespace hearth::engine {

Result<Prompt> chat_prompt(const LoadedModel& model, const chat::ChatRequest& request);

// A prompt given as plain text (Ollama `raw`, OpenAI completions): BOS added as the vocabulary asks, and
// special-token text in it read as those tokens, as llama-server does.
Prompt raw_prompt(const LoadedModel& model, std::string_view text);

}  // namespace hearth::engine
