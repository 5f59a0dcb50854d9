#pragma once
// Turns a conversation into the token prompt of one model: its chat format renders the text (the BOS
// marker included, as the real templates do), and the tokenizer reads the format's markers as special tokens.
#include <span>

#include "chat/chat_types.h"
#include "core/result.h"
#include "engine/generation.h"
#include "engine/loaded_model.h"
#include "engine/media_input.h"

namespace hearth::engine {

Result<Prompt> chat_prompt(const LoadedModel& model, const chat::ChatRequest& request);

// The same with attachments: the chat format renders one marker per image / audio content part, and each
// marker becomes the begin token, the attachment's soft tokens and the end token (spec/gemma4.md §7.2);
// an image's soft tokens attend to each other both ways (§7.3). `media` lists the attachments in the order
// their parts appear in the conversation.
Result<Prompt> chat_prompt(const LoadedModel& model, const chat::ChatRequest& request, std::span<const MediaItem> media,
                           const MediaLimits& limits);

// A prompt given as plain text (Ollama `raw`, OpenAI completions): BOS added as the vocabulary asks, and
// special-token text in it read as those tokens, as llama-server does.
Prompt raw_prompt(const LoadedModel& model, std::string_view text);

}  // namespace hearth::engine
