#pragma once
// Renders a conversation exactly as the Gemma 4 chat template (the `tokenizer.chat_template` shipped in the
// gemma-4 GGUFs, spec/gemma4.md §8.3) does, byte for byte, <bos> included.
#include <string>

#include "chat/chat_types.h"
#include "core/result.h"

namespace hearth::chat::gemma4 {

Result<std::string> render_prompt(const ChatRequest& request);

}  // namespace hearth::chat::gemma4
