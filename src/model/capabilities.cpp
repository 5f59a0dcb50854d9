#include "model/capabilities.h"

#include <array>

namespace hearth::model {
namespace {

bool flag_set(const gguf::GgufFile& file, std::string_view key) {
  const Result<bool> value = file.get_bool(key);
  return value.ok() && *value;
}

bool has_tensor_prefix(const gguf::GgufFile& file, std::string_view prefix) {
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    if (tensor.name.starts_with(prefix)) return true;
  }
  return false;
}

// An encoder counts when an mmproj says so, when a monolithic (Ollama-style) file carries its
// `{arch}.<modality>.block_count` key, or when the tower's tensors (`v.` / `a.`) are embedded.
bool has_encoder(const gguf::GgufFile& file, const std::string& architecture, std::string_view modality,
                 std::string_view tensor_prefix) {
  const std::string name(modality);
  return flag_set(file, "clip.has_" + name + "_encoder") ||
         file.find(architecture + "." + name + ".block_count") != nullptr || has_tensor_prefix(file, tensor_prefix);
}

}  // namespace

bool template_supports_tools(std::string_view chat_template) { return chat_template.find("tools") != std::string_view::npos; }

bool template_supports_thinking(std::string_view chat_template) {
  // Jinja templates name their thinking section in one of these ways (Qwen3/Gemma 4, DeepSeek, gpt-oss).
  constexpr std::array<std::string_view, 5> kMarkers = {"enable_thinking", "<think>", "reasoning_content",
                                                        ".thinking", "<|channel|>"};
  for (std::string_view marker : kMarkers) {
    if (chat_template.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<std::string> detect_capabilities(const gguf::GgufFile& file) {
  const Result<std::string> architecture = file.get_string("general.architecture");
  const std::string arch = architecture.ok() ? *architecture : "";
  const Result<std::string> kind = file.get_string("general.type");
  const bool projector_only = arch == "clip" || (kind.ok() && *kind == "mmproj");

  std::vector<std::string> capabilities;
  if (file.find(arch + ".pooling_type") != nullptr) {
    capabilities.push_back("embedding");
  } else if (!projector_only) {
    capabilities.push_back("completion");
  }
  if (has_encoder(file, arch, "vision", "v.")) capabilities.push_back("vision");
  if (has_encoder(file, arch, "audio", "a.")) capabilities.push_back("audio");
  if (const Result<std::string> chat_template = file.get_string("tokenizer.chat_template"); chat_template.ok()) {
    if (template_supports_tools(*chat_template)) capabilities.push_back("tools");
    if (template_supports_thinking(*chat_template)) capabilities.push_back("thinking");
  }
  return capabilities;
}

}  // namespace hearth::model
