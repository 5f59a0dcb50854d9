#include "engine/chat_prompt.h"

namespace hearth::engine {

Result<Prompt> chat_prompt(const LoadedModel& model, const chat::ChatRequest& request) {
  if (!model.chat) return make_error("this model has no chat format hearth knows; use a raw prompt");
  Result<std::string> text = model.chat->render(request);
  if (!text) return make_error(text.error());
  Prompt prompt;
  prompt.tokens = model.tokenizer.tokenize(*text, false, true);
  return prompt;
}

Prompt raw_prompt(const LoadedModel& model, std::string_view text) {
  Prompt prompt;
  prompt.tokens = model.tokenizer.tokenize(text, true, true);
  return prompt;
}

}  // namespace hearth::engine
