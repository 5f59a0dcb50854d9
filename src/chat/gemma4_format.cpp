#include "chat/gemma4_format.h"

#include "chat/gemma4_parser.h"
#include "chat/gemma4_renderer.h"

namespace hearth::chat {

Result<std::string> Gemma4Format::render(const ChatRequest& request) const {
  return gemma4::render_prompt(request);
}

std::unique_ptr<ChatParser> Gemma4Format::make_parser() const {
  return std::make_unique<gemma4::OutputParser>();
}

}  // namespace hearth::chat
