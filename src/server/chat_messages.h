#pragma once
// Conversations as the Ollama and OpenAI APIs send them, converted to chat::Message (400 messages on error).
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_types.h"
#include "core/result.h"

namespace hearth::server {

struct ParsedConversation {
  std::vector<chat::Message> messages;
  size_t media_parts = 0;  // images / audio clips attached
};

Result<ParsedConversation> ollama_messages(const nlohmann::json& messages);
Result<ParsedConversation> openai_messages(const nlohmann::json& messages);
// Tool definitions ({type:"function", function:{name, ...}}), the same in both APIs.
Result<std::vector<nlohmann::json>> parse_tools(const nlohmann::json& tools);

}  // namespace hearth::server
