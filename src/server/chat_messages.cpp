#include "server/chat_messages.h"

#include <algorithm>
#include <cctype>

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

}  // namespace

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
      parsed.media_parts += images->size();
    }
    if (const auto calls = m.find("tool_calls"); calls != m.end() && !calls->is_null()) {
      if (!calls->is_array()) return make_error("tool_calls must be an array");
      for (const json& call : *calls) {
        const json function = call.is_object() ? call.value("function", json()) : json();
        if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
          return make_error("each tool call needs function.name");
        }
        chat::ToolCall tool_call;
        tool_call.id = call.value("id", "");
        tool_call.name = function["name"].get<std::string>();
        tool_call.arguments = function.value("arguments", json::object());
        message.tool_calls.push_back(std::move(tool_call));
      }
    }
    parsed.messages.push_back(std::move(message));
  }
  return parsed;
}

Result<ParsedConversation> openai_messages(const json& messages) {
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
        } else if (type == "image_url" || type == "input_audio") {
          ++parsed.media_parts;
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
    if (const auto calls = m.find("tool_calls"); calls != m.end() && !calls->is_null()) {
      if (!calls->is_array()) return make_error("tool_calls must be an array");
      for (const json& call : *calls) {
        const json function = call.is_object() ? call.value("function", json()) : json();
        if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
          return make_error("each tool call needs function.name");
        }
        chat::ToolCall tool_call;
        tool_call.id = call.value("id", "");
        tool_call.name = function["name"].get<std::string>();
        const json arguments = function.value("arguments", json("{}"));
        if (arguments.is_string()) {
          tool_call.arguments = json::parse(arguments.get<std::string>(), nullptr, false);
          if (tool_call.arguments.is_discarded()) return make_error("invalid tool call arguments");
        } else {
          tool_call.arguments = arguments;
        }
        message.tool_calls.push_back(std::move(tool_call));
      }
    }
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
