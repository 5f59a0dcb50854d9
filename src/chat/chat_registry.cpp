#include "chat/chat_registry.h"

#include "chat/gemma4_format.h"
#include "chat/gemma4_markers.h"

namespace hearth::chat {
namespace {

bool looks_like_gemma4(std::string_view chat_template) {
  return chat_template.find(gemma4::kTurnOpen) != std::string_view::npos &&
         chat_template.find(gemma4::kToolCallOpen) != std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<ChatFormat>> find_chat_format(std::string_view architecture,
                                                     std::string_view chat_template) {
  if (looks_like_gemma4(chat_template) || architecture == "gemma4") {
    return std::unique_ptr<ChatFormat>(std::make_unique<Gemma4Format>());
  }
  return make_error("no chat format for architecture '", architecture, "' or its chat template");
}

}  // namespace hearth::chat
