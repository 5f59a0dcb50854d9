#pragma once
// Capabilities in Ollama's vocabulary (`completion`, `embedding`, `vision`, `audio`, `tools`, `thinking`),
// derived only from what a GGUF file carries.
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_file.h"

namespace hearth::model {

std::vector<std::string> detect_capabilities(const gguf::GgufFile& file);

// The chat-template part of the rule, exposed for tests: Ollama enables `tools` when the template reads the
// tool list and `thinking` when it has a thinking section.
bool template_supports_tools(std::string_view chat_template);
bool template_supports_thinking(std::string_view chat_template);

}  // namespace hearth::model
