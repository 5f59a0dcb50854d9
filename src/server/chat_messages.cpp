#include "server/chat_messages.h"

#include <algorithm>
#include <cctype>

#include "server/base64.h"

namespace hearth::server {
namespace {

using nlohmann::json;

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Result<std::string> string_field(const json& object, const char* key, bool required) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return make_error("message is missing '", key, "'");
    return std::string();
  }
  if (!it->is_string()) return make_error("message field '", key, "' must be a string");
  return it->get<std::string>();
}

// Ollama sends tool-call arguments as a JSON object, OpenAI as a string holding JSON (an object is accepted too).
enum class ArgumentsForm { object, json_string };

Result<std::vector<chat::ToolCall>> tool_calls(const json& message, ArgumentsForm form) {
  std::vector<chat::ToolCall> parsed;
  const auto calls = message.find("tool_calls");
  if (calls == message.end() || calls->is_null()) return parsed;
  if (!calls->is_array()) return make_error("tool_calls must be an array");
  for (const json& call : *calls) {
    const json function = call.is_object() ? call.value("function", json()) : json();
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
      return make_error("each tool call needs function.name");
    }
    chat::ToolCall tool_call;
    tool_call.id = call.value("id", "");
    tool_call.name = function["name"].get<std::string>();
    if (form == ArgumentsForm::object) {
      tool_call.arguments = function.value("arguments", json::object());
    } else {
      const json arguments = function.value("arguments", json("{}"));
      tool_call.arguments = arguments.is_string() ? json::parse(arguments.get<std::string>(), nullptr, false) : arguments;
      if (tool_call.arguments.is_discarded()) return make_error("invalid tool call arguments");
    }
    parsed.push_back(std::move(tool_call));
  }
  return parsed;
}

chat::ContentPart media_part(engine::MediaKind kind) {
  return {kind == engine::MediaKind::image ? chat::ContentPart::Type::image : chat::ContentPart::Type::audio, {}};
}

// An OpenAI image_url: a data: URL with base64 content, or an http(s) URL the server may fetch.
Result<engine::MediaItem> media_from_url(const std::string& url, const RemoteImageOptions& remote) {
  if (url.starts_with("http://") || url.starts_with("https://")) {
    Result<std::vector<uint8_t>> bytes = fetch_remote_image(url, remote);
    if (!bytes) return make_error(bytes.error());
    if (engine::sniff_media(*bytes) != engine::MediaKind::image) {
      return make_error("image_url: ", url, " is not an image (PNG, JPEG, GIF, WebP, BMP)");
    }
    return engine::MediaItem{engine::MediaKind::image, std::move(*bytes)};
  }
  if (!url.starts_with("data:")) return make_error("image_url must be a data: URL or an http(s) URL");
  const size_t comma = url.find(',');
  if (comma == std::string::npos || url.substr(0, comma).find(";base64") == std::string::npos) {
    return make_error("image_url data: URLs must be base64");
  }
  return media_from_base64(std::string_view(url).substr(comma + 1));
}

}  // namespace

Result<engine::MediaItem> media_from_base64(std::string_view base64) {
  std::optional<std::vector<uint8_t>> bytes = decode_base64(base64);
  if (!bytes) return make_error("invalid base64 media data");
  std::optional<engine::MediaKind> kind = engine::sniff_media(*bytes);
  if (!kind) return make_error("unsupported media: not an image (PNG, JPEG, GIF, WebP, BMP) or audio (WAV, MP3, FLAC, OGG) file");
  return engine::MediaItem{*kind, std::move(*bytes)};
}

Result<ParsedConversation> ollama_messages(const json& messages) {
  if (!messages.is_array()) return make_error("messages must be an array");
  ParsedConversation parsed;
  for (const json& m : messages) {
    if (!m.is_object()) return make_error("each message must be an object");
    Result<std::string> role = string_field(m, "role", true);
    Result<std::string> content = string_field(m, "content", false);
    Result<std::string> thinking = string_field(m, "thinking", false);
    Result<std::string> tool_name = string_field(m, "tool_name", false);
    Result<std::string> tool_call_id = string_field(m, "tool_call_id", false);
    for (const auto* field : {&role, &content, &thinking, &tool_name, &tool_call_id}) {
      if (!*field) return make_error(field->error());
    }
    chat::Message message{lowercase(*role), *content, {}, {}, *tool_call_id, *tool_name, *thinking};
    if (const auto images = m.find("images"); images != m.end() && !images->is_null()) {
      if (!images->is_array()) return make_error("message images must be an array of base64 strings");
      // Ollama places a message's attachments before its text.
      std::vector<chat::ContentPart> parts;
      for (const json& image : *images) {
        if (!image.is_string()) return make_error("message images must be an array of base64 strings");
        Result<engine::MediaItem> item = media_from_base64(image.get<std::string>());
        if (!item) return make_error(item.error());
        parts.push_back(media_part(item->kind));
        parsed.media.push_back(std::move(*item));
      }
      if (!parts.empty()) {
        parts.push_back({chat::ContentPart::Type::text, *content});
        message.content = std::move(parts);
      }
    }
    Result<std::vector<chat::ToolCall>> calls = tool_calls(m, ArgumentsForm::object);
    if (!calls) return make_error(calls.error());
    message.tool_calls = std::move(*calls);
    parsed.messages.push_back(std::move(message));
  }
  return parsed;
}

Result<ParsedConversation> openai_messages(const json& messages, const RemoteImageOptions& remote_images) {
  if (!messages.is_array() || messages.empty()) return make_error("messages must be a non-empty array");
  ParsedConversation parsed;
  for (const json& m : messages) {
    if (!m.is_object()) return make_error("each message must be an object");
    Result<std::string> role = string_field(m, "role", true);
    if (!role) return make_error(role.error());
    chat::Message message{lowercase(*role), std::string(), {}, {}, {}, {}, {}};
    const json content = m.value("content", json());
    if (content.is_string()) {
      message.content = content.get<std::string>();
    } else if (content.is_array()) {
      std::vector<chat::ContentPart> parts;
      for (const json& part : content) {
        const std::string type = part.is_object() ? part.value("type", "") : "";
        if (type == "text") {
          if (!part.contains("text") || !part["text"].is_string()) return make_error("a text part needs 'text'");
          parts.push_back({chat::ContentPart::Type::text, part["text"].get<std::string>()});
        } else if (type == "image_url") {
          const json image = part.value("image_url", json());
          const json url = image.is_object() ? image.value("url", json()) : image;
          if (!url.is_string()) return make_error("image_url needs a url");
          Result<engine::MediaItem> item = media_from_url(url.get<std::string>(), remote_images);
          if (!item) return make_error(item.error());
          parts.push_back(media_part(item->kind));
          parsed.media.push_back(std::move(*item));
        } else if (type == "input_audio") {
          const json audio = part.value("input_audio", json::object());
          if (!audio.is_object() || !audio.contains("data") || !audio["data"].is_string()) return make_error("input_audio needs data");
          Result<engine::MediaItem> item = media_from_base64(audio["data"].get<std::string>());
          if (!item) return make_error(item.error());
          if (item->kind != engine::MediaKind::audio) return make_error("input_audio data is not an audio file");
          parts.push_back(media_part(item->kind));
          parsed.media.push_back(std::move(*item));
        } else {
          return make_error("unsupported content part type '", type, "'");
        }
      }
      message.content = std::move(parts);
    } else if (!content.is_null()) {
      return make_error("message content must be a string, an array of parts or null");
    }
    for (const char* key : {"reasoning_content", "reasoning"}) {
      if (m.contains(key) && m[key].is_string()) message.reasoning = m[key].get<std::string>();
    }
    if (m.contains("tool_call_id") && m["tool_call_id"].is_string()) message.tool_call_id = m["tool_call_id"].get<std::string>();
    if (m.contains("name") && m["name"].is_string() && message.role == "tool") message.tool_name = m["name"].get<std::string>();
    Result<std::vector<chat::ToolCall>> calls = tool_calls(m, ArgumentsForm::json_string);
    if (!calls) return make_error(calls.error());
    message.tool_calls = std::move(*calls);
    // A tool result names its call by id; the function name comes from the assistant turn that made it.
    if (message.role == "tool" && message.tool_name.empty() && !message.tool_call_id.empty()) {
      for (const chat::Message& earlier : parsed.messages) {
        for (const chat::ToolCall& call : earlier.tool_calls) {
          if (call.id == message.tool_call_id) message.tool_name = call.name;
        }
      }
    }
    parsed.messages.push_back(std::move(message));
  }
  return parsed;
}

Result<std::vector<json>> parse_tools(const json& tools) {
  std::vector<json> parsed;
  if (tools.is_null()) return parsed;
  if (!tools.is_array()) return make_error("tools must be an array");
  for (const json& tool : tools) {
    if (!tool.is_object() || tool.value("type", "function") != "function" || !tool.contains("function") ||
        !tool["function"].is_object() || !tool["function"].contains("name") || !tool["function"]["name"].is_string()) {
      return make_error("each tool must be {\"type\":\"function\",\"function\":{\"name\":...}}");
    }
    parsed.push_back(tool);
  }
  return parsed;
}

}  // namespace hearth::server
