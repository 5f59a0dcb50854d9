#pragma once
// Streaming parser for Gemma 4 output (spec/gemma4.md §8.5): `<|channel>thought\n…<channel|>` is thinking,
// `<|tool_call>call:NAME{…}<tool_call|>` a tool call, everything else content. Control markers never reach
// the content, not even split across pieces; a tool call that does not parse is passed on as content.
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_format.h"

namespace hearth::chat::gemma4 {

class OutputParser final : public ChatParser {
 public:
  std::vector<ChatEvent> feed(std::string_view piece) override;
  std::vector<ChatEvent> finish() override;

 private:
  enum class State { content, thinking_header, thinking, tool_call };

  // Consumes what can be decided from buffer_; returns false once it has to wait for more text. At the end
  // of the stream (`final`) nothing is held back.
  bool step(bool final);
  bool step_text(bool final);
  bool step_thinking_header(bool final);
  bool step_tool_call(bool final);
  void report_tool_call(std::string_view body,
                        bool closed);  // as a call, or as content when it does not parse
  void emit_text(ChatEvent::Type type, std::string_view text);
  void enter(State state, bool trim_leading);
  std::vector<ChatEvent> take_events();

  State state_ = State::content;
  std::string buffer_;
  bool trim_leading_ = false;     // drop whitespace that opens the next thinking / content text
  size_t tool_call_scanned_ = 0;  // how much of a pending tool call was already searched for its end
  std::vector<ChatEvent> events_;
};

}  // namespace hearth::chat::gemma4
