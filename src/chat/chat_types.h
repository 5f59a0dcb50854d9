#pragma once
// The model-independent shape of a chat request and of what a streaming parser reports back. The server
// converts Ollama / OpenAI messages into these; every ChatFormat renders them in its own prompt syntax.
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace hearth::chat {

struct ContentPart {
  enum class Type { text, image, audio, video };
  Type type = Type::text;
  std::string text;  // only for Type::text; media parts become placeholders the engine expands later
};

// A message's content is either one string or a list of parts, because templates treat the two
// differently (whole-string trimming vs per-part, and an empty list vs an empty string).
using Content = std::variant<std::string, std::vector<ContentPart>>;

struct ToolCall {
  std::string id;  // empty when the client gave none
  std::string name;
  // Normally an object; a string is rendered verbatim as the call body, anything else as an empty body.
  nlohmann::json arguments = nlohmann::json::object();
};

// A tool result attached to the assistant message that made the call (Gemma's native `tool_responses`),
// as opposed to a separate `tool` message.
struct ToolResponse {
  std::string name;
  nlohmann::json response;
};

struct Message {
  std::string role;  // system, developer, user, assistant, tool, or any custom role
  Content content;
  std::vector<ToolCall> tool_calls;          // assistant
  std::vector<ToolResponse> tool_responses;  // assistant, legacy form
  std::string tool_call_id;                  // tool: which call this answers
  std::string tool_name;                     // tool: the function's name when the client sends it
  std::string reasoning;  // assistant: thinking text (Ollama `thinking`, OpenAI `reasoning_content`)
};

struct ChatRequest {
  std::vector<Message> messages;
  // Tool definitions as OpenAI / Ollama send them: {"type":"function","function":{name, description,
  // parameters}}.
  std::vector<nlohmann::json> tools;
  bool enable_thinking = false;
  bool add_generation_prompt = true;
};

struct ChatEvent {
  enum class Type { thinking, content, tool_call };
  Type type = Type::content;
  std::string text;    // thinking and content deltas
  ToolCall tool_call;  // Type::tool_call; the id is left for the server to assign
};

}  // namespace hearth::chat
