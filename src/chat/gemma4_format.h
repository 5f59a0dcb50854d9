#pragma once
#include "chat/chat_format.h"

namespace hearth::chat {

class Gemma4Format final : public ChatFormat {
 public:
  std::string_view name() const override { return "gemma4"; }
  Result<std::string> render(const ChatRequest& request) const override;
  std::unique_ptr<ChatParser> make_parser() const override;
  std::optional<ReasoningMarkers> reasoning_markers() const override;
  Result<engine::grammar::Grammar> tool_call_grammar(const tokenizer::Tokenizer& tokenizer,
                                                     const std::vector<nlohmann::json>& tools,
                                                     std::string_view only_function) const override;
};

}  // namespace hearth::chat
