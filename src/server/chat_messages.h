#pragma once
// Conversations as the Ollama and OpenAI APIs send them, converted to chat::Message (400 messages on error).
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_types.h"
#include "core/result.h"
#include "engine/media_input.h"
#include "server/remote_image.h"

namespace hearth::server {

struct ParsedConversation {
  std::vector<chat::Message> messages;
  // Attachments in the order of their content parts (images and audio clips, told apart by their bytes).
  std::vector<engine::MediaItem> media;
};

// Decodes one base64 attachment (Ollama `images` entry, OpenAI data: URL or input_audio data).
Result<engine::MediaItem> media_from_base64(std::string_view base64);

Result<ParsedConversation> ollama_messages(const nlohmann::json& messages);
// image_url parts with http(s) URLs are fetched as `remote_images` allows.
Result<ParsedConversation> openai_messages(const nlohmann::json& messages, const RemoteImageOptions& remote_images = {});
// Tool definitions ({type:"function", function:{name, ...}}), the same in both APIs.
Result<std::vector<nlohmann::json>> parse_tools(const nlohmann::json& tools);

}  // namespace hearth::server
