#include "chat/gemma4_renderer.h"

#include <optional>
#include <span>
#include <string_view>

#include "chat/gemma4_markers.h"
#include "chat/gemma4_values.h"
#include "chat/jinja_compat.h"

namespace hearth::chat::gemma4 {
namespace {

using nlohmann::json;

// The template's `prev_message_type`, reduced to the values that change how a turn or the prompt ends.
enum class LastEmitted { other, tool_call, tool_response };

bool is_system_role(const std::string& role) { return role == "system" || role == "developer"; }

bool has_content(const Content& content) {
  return std::visit([](const auto& value) { return !value.empty(); }, content);
}

std::string joined_text(const std::vector<ContentPart>& parts) {
  std::string text;
  for (const ContentPart& part : parts) {
    if (part.type == ContentPart::Type::text) text += part.text;
  }
  return text;
}

// Model turns drop every <|channel>…<channel|> span, so earlier reasoning never re-enters the prompt.
std::string strip_thinking(std::string_view text) {
  std::string kept;
  size_t at = 0;
  while (true) {
    const size_t close = text.find(kChannelClose, at);
    const std::string_view piece = text.substr(at, close == std::string_view::npos ? close : close - at);
    kept += piece.substr(0, piece.find(kChannelOpen));
    if (close == std::string_view::npos) break;
    at = close + kChannelClose.size();
  }
  return std::string(jinja::strip(kept));
}

std::string turn_text(std::string_view text, bool model_turn) {
  return model_turn ? strip_thinking(text) : std::string(jinja::strip(text));
}

void append_tool_call(std::string& out, const ToolCall& call) {
  out += std::string(kToolCallOpen) + "call:" + call.name + "{";
  if (call.arguments.is_object()) {
    bool first = true;
    for (const auto& [key, value] : jinja::dictsort(call.arguments)) {
      if (!first) out += ',';
      first = false;
      out += key + ":" + format_argument(*value, KeyStyle::bare);
    }
  } else if (call.arguments.is_string()) {
    out += call.arguments.get_ref<const std::string&>();
  }
  out += '}';
  out += kToolCallClose;
}

void append_tool_response(std::string& out, const std::string& name, const json& response) {
  out += std::string(kToolResponseOpen) + "response:" + name + "{";
  if (response.is_object()) {
    bool first = true;
    for (const auto& [key, value] : jinja::dictsort(response)) {
      if (!first) out += ',';
      first = false;
      out += key + ":" + format_argument(*value, KeyStyle::bare);
    }
  } else {
    out += "value:" + format_argument(response, KeyStyle::bare);
  }
  out += "}" + std::string(kToolResponseClose);
}

// The function name a tool result is reported under: the call with the matching id (the last one wins, and
// a missing id matches a missing id, as None == None does in the template), else the tool message's own
// name. "unknown" stands in where the template would fail on a missing name.
std::string tool_result_name(const std::vector<ToolCall>& calls, const Message& result) {
  std::optional<std::string> name;
  if (!result.tool_name.empty()) name = result.tool_name;
  for (const ToolCall& call : calls) {
    if (call.id == result.tool_call_id) name = call.name;
  }
  return name.value_or("unknown");
}

json tool_result_body(const Content& content) {
  if (const auto* text = std::get_if<std::string>(&content)) return *text;
  return joined_text(std::get<std::vector<ContentPart>>(content));
}

// Jinja would print a list-valued system content as a Python list literal; its text is what is meant.
std::string system_text(const Content& content) {
  if (const auto* text = std::get_if<std::string>(&content)) return std::string(jinja::strip(*text));
  return std::string(jinja::strip(joined_text(std::get<std::vector<ContentPart>>(content))));
}

std::string_view media_placeholder(ContentPart::Type type) {
  switch (type) {
    case ContentPart::Type::image: return kImage;
    case ContentPart::Type::audio: return kAudio;
    case ContentPart::Type::video: return kVideo;
    case ContentPart::Type::text: break;
  }
  return {};
}

class PromptWriter {
 public:
  explicit PromptWriter(const ChatRequest& request) : request_(request) {}

  std::string render() {
    out_ = kBos;
    std::span<const Message> turns = request_.messages;
    if (request_.enable_thinking || !request_.tools.empty() || is_system_role(turns.front().role)) {
      const bool has_system = is_system_role(turns.front().role);
      write_system_turn(has_system ? &turns.front() : nullptr);
      if (has_system) turns = turns.subspan(1);
    }
    for (size_t i = 0; i < turns.size(); ++i) {
      if (turns[i].role != "tool") write_turn(turns, i);
    }
    if (request_.add_generation_prompt && last_ == LastEmitted::other) {
      out_ += std::string(kTurnOpen) + "model\n";
      // An empty thought block tells the model to answer directly.
      if (!request_.enable_thinking)
        out_ += std::string(kChannelOpen) + "thought\n" + std::string(kChannelClose);
    }
    return std::move(out_);
  }

 private:
  void write_system_turn(const Message* system) {
    out_ += std::string(kTurnOpen) + "system\n";
    if (request_.enable_thinking) out_ += std::string(kThink) + "\n";
    if (system) out_ += system_text(system->content);
    for (const json& tool : request_.tools) {
      out_ += std::string(kToolOpen) + format_tool_declaration(tool) + std::string(kToolClose);
    }
    out_ += std::string(kTurnClose) + "\n";
  }

  void write_turn(std::span<const Message> turns, size_t index) {
    const Message& message = turns[index];
    last_ = LastEmitted::other;
    const bool model_turn = message.role == "assistant";
    const std::string role = model_turn ? "model" : message.role;

    // Consecutive assistant messages (tool results in between do not count) share one model turn.
    const Message* previous = nullptr;
    for (size_t j = index; j-- > 0;) {
      if (turns[j].role != "tool") {
        previous = &turns[j];
        break;
      }
    }
    if (!(role == "model" && previous && previous->role == "assistant")) {
      out_ += std::string(kTurnOpen) + role + "\n";
    }

    // Reasoning is kept only for tool-calling steps of the current exchange (after the last user message).
    if (!message.reasoning.empty() && after_last_user(turns, index) && !message.tool_calls.empty()) {
      out_ += std::string(kChannelOpen) + "thought\n" + message.reasoning + "\n" + std::string(kChannelClose);
    }

    for (const ToolCall& call : message.tool_calls) append_tool_call(out_, call);
    if (!message.tool_calls.empty()) last_ = LastEmitted::tool_call;

    const bool responded = write_tool_results(turns, index);
    write_content(message.content, role == "model");

    if (last_ == LastEmitted::tool_call && !responded) {
      out_ += kToolResponseOpen;  // the turn stays open for the tool's result
    } else if (!(responded && !has_content(message.content))) {
      out_ += std::string(kTurnClose) + "\n";
    }
  }

  static bool after_last_user(std::span<const Message> turns, size_t index) {
    for (size_t j = turns.size(); j-- > 0;) {
      if (turns[j].role == "user") return index > j;
    }
    return true;
  }

  // Results come from the message itself (legacy form) or from the `tool` messages right after it.
  bool write_tool_results(std::span<const Message> turns, size_t index) {
    const Message& message = turns[index];
    bool responded = false;
    if (!message.tool_responses.empty()) {
      for (const ToolResponse& response : message.tool_responses) {
        append_tool_response(out_, response.name.empty() ? "unknown" : response.name, response.response);
      }
      responded = true;
    } else if (!message.tool_calls.empty()) {
      for (size_t k = index + 1; k < turns.size() && turns[k].role == "tool"; ++k) {
        append_tool_response(out_, tool_result_name(message.tool_calls, turns[k]),
                             tool_result_body(turns[k].content));
        responded = true;
      }
    }
    if (responded) last_ = LastEmitted::tool_response;
    return responded;
  }

  void write_content(const Content& content, bool model_turn) {
    if (const auto* text = std::get_if<std::string>(&content)) {
      out_ += turn_text(*text, model_turn);
      return;
    }
    for (const ContentPart& part : std::get<std::vector<ContentPart>>(content)) {
      if (part.type == ContentPart::Type::text) {
        out_ += turn_text(part.text, model_turn);
      } else {
        out_ += media_placeholder(part.type);
        last_ = LastEmitted::other;
      }
    }
  }

  const ChatRequest& request_;
  std::string out_;
  LastEmitted last_ = LastEmitted::other;
};

}  // namespace

Result<std::string> render_prompt(const ChatRequest& request) {
  if (request.messages.empty()) return make_error("chat request has no messages");
  return PromptWriter(request).render();
}

}  // namespace hearth::chat::gemma4
