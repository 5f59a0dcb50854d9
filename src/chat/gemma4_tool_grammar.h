#pragma once
// The grammar of output that must consist of tool calls (OpenAI tool_choice "required" or a named function),
// in Gemma 4's call syntax (spec/gemma4.md §8.5): one or more `<|tool_call>call:NAME{ARGS}<tool_call|>`,
// where NAME is one of the offered functions (or the one named) and ARGS are its declared parameters in name
// order (as Gemma writes them), each at most once and the required ones always, with Gemma's values
// (<|"|>strings<|"|>, numbers, true/false/null, {…}, […]); a parameter declared as a string, integer, number
// or boolean takes only that. A function without parameters takes none; parameters not described by
// properties take any arguments. The markers are
// matched as the special tokens they are.
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/grammar/grammar.h"
#include "tokenizer/tokenizer.h"

namespace hearth::chat::gemma4 {

// Tool calls a forced turn may make in a row.
inline constexpr uint32_t kMaxForcedToolCalls = 8;

// `tools` as ChatRequest holds them; `only_function` empty for any of them. Errors: a marker token missing
// from the vocabulary, no tools, or an unknown function name.
Result<engine::grammar::Grammar> tool_call_grammar(const tokenizer::Tokenizer& tokenizer,
                                                   const std::vector<nlohmann::json>& tools,
                                                   std::string_view only_function);

}  // namespace hearth::chat::gemma4
