#pragma once
// Picks the chat format for a model: by the markers its embedded chat template uses (a fine-tune keeps its
// base's format even under another architecture name), else by architecture.
#include <memory>
#include <string_view>

#include "chat/chat_format.h"
#include "core/result.h"

namespace hearth::chat {

Result<std::unique_ptr<ChatFormat>> find_chat_format(std::string_view architecture,
                                                     std::string_view chat_template);

}  // namespace hearth::chat
