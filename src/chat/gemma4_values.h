#pragma once
// Gemma 4's value and tool-declaration syntax as the chat template writes it (spec/gemma4.md §8.2, §8.4):
// JSON-like, with <|"|> as the string delimiter and no escaping inside strings.
#include <string>

#include <nlohmann/json.hpp>

namespace hearth::chat::gemma4 {

enum class KeyStyle { quoted, bare };

// The template's format_argument: objects sorted by key, strings wrapped in <|"|>, other scalars as Python
// prints them (so null is "None").
std::string format_argument(const nlohmann::json& value, KeyStyle keys = KeyStyle::quoted);

// One `declaration:NAME{...}` for the system turn, from an OpenAI-style tool object.
std::string format_tool_declaration(const nlohmann::json& tool);

}  // namespace hearth::chat::gemma4
