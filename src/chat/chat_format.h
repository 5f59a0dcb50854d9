#pragma once
// The interface every model family's chat syntax implements: rendering a conversation into prompt text and
// turning the generated text back into thinking, content and tool calls.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_types.h"
#include "core/result.h"
#include "engine/grammar/grammar.h"
#include "tokenizer/tokenizer.h"

namespace hearth::chat {

// Fed decoded text in arbitrary pieces (a piece may end inside a marker or a multi-byte character); text
// that might still turn out to be part of a marker is held back until the next piece or finish().
class ChatParser {
 public:
  virtual ~ChatParser() = default;
  virtual std::vector<ChatEvent> feed(std::string_view piece) = 0;
  // End of generation: flushes held-back text; an unfinished tool call is parsed if it can be, else
  // reported as content.
  virtual std::vector<ChatEvent> finish() = 0;
};

class ChatFormat {
 public:
  virtual ~ChatFormat() = default;
  virtual std::string_view name() const = 0;
  virtual Result<std::string> render(const ChatRequest& request) const = 0;
  virtual std::unique_ptr<ChatParser> make_parser() const = 0;

  // The special tokens that open and close the thinking channel, when the format has one.
  struct ReasoningMarkers {
    std::string_view open;
    std::string_view close;
  };
  virtual std::optional<ReasoningMarkers> reasoning_markers() const { return std::nullopt; }

  // A grammar for a turn that must be tool calls (tool_choice "required", or `only_function` by name), in
  // the format's call syntax. An error when the format has no tool calls.
  virtual Result<engine::grammar::Grammar> tool_call_grammar(const tokenizer::Tokenizer& tokenizer,
                                                             const std::vector<nlohmann::json>& tools,
                                                             std::string_view only_function) const {
    static_cast<void>(tokenizer);
    static_cast<void>(tools);
    static_cast<void>(only_function);
    return make_error("the ", name(), " chat format cannot force tool calls");
  }
};

}  // namespace hearth::chat
