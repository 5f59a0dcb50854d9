#include "chat/gemma4_format.h"

#include "chat/gemma4_markers.h"
#include "chat/gemma4_parser.h"
#include "chat/gemma4_renderer.h"
#include "chat/gemma4_tool_grammar.h"

namespace hearth::chat {

Result<std::string> Gemma4Format::render(const ChatRequest& request) const {
  return gemma4::render_prompt(request);
}

std::unique_ptr<ChatParser> Gemma4Format::make_parser() const {
  return std::make_unique<gemma4::OutputParser>();
}

std::optional<ChatFormat::ReasoningMarkers> Gemma4Format::reasoning_markers() const {
  return ReasoningMarkers{gemma4::kChannelOpen, gemma4::kChannelClose};
}

Result<engine::grammar::Grammar> Gemma4Format::tool_call_grammar(const tokenizer::Tokenizer& tokenizer,
                                                                 const std::vector<nlohmann::json>& tools,
                                                                 std::string_view only_function) const {
  return gemma4::tool_call_grammar(tokenizer, tools, only_function);
}

}  // namespace hearth::chat
