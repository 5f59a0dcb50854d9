#pragma once
// Reads one generated tool call, the text between <|tool_call> and <tool_call|>: `call:NAME{key:value,...}`
// with Gemma's value syntax (spec/gemma4.md §8.5): <|"|>-delimited raw strings (may span lines), nested
// objects and arrays, numbers, true/false/null. JSON-style "strings", <|"|>quoted<|"|> keys and Python-style
// None/True/False are accepted too, since models drift into them.
#include <optional>
#include <string_view>

#include "chat/chat_types.h"

namespace hearth::chat::gemma4 {

// nullopt when the text is not a well-formed call; the caller then keeps it as plain content.
std::optional<ToolCall> parse_tool_call(std::string_view body);

}  // namespace hearth::chat::gemma4
