#pragma once
// Model names as Ollama writes them: `[host/][namespace/]model[:tag]`, defaulting to
// registry.ollama.ai/library/<model>:latest. Every part is checked against a strict character set whose first
// character cannot be '.', so a parsed name always maps to a manifest path inside the store (no `..`, no '/',
// no absolute parts).
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hearth::store {

inline constexpr std::string_view kDefaultHost = "registry.ollama.ai";
inline constexpr std::string_view kDefaultNamespace = "library";
inline constexpr std::string_view kDefaultTag = "latest";

struct ModelName {
  std::string host;
  std::string name_space;
  std::string model;
  std::string tag;

  // "registry.ollama.ai/library/gemma4:latest"
  std::string full() const;
  // The shortest form that still reads back to this name, with the tag always shown: "gemma4:latest",
  // "user/model:q4", "example.com/ns/model:tag".
  std::string display() const;
  // host/namespace/model/tag, relative to a store's manifests/ folder.
  std::filesystem::path manifest_path() const;
  // Ollama compares names without regard to ASCII case.
  bool same_as(const ModelName& other) const;
};

Result<ModelName> parse_model_name(std::string_view text);

}  // namespace hearth::store
