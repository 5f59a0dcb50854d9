#pragma once
// Ollama's Modelfile (docs/modelfile.md; parser/parser.go for the quoting rules), parsed into what a model
// is created from. Commands are case-insensitive; `#` starts a comment at the beginning of a line; a value
// may be quoted with " or """ and then runs, newlines included, until a line that ends with the same quote.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace hearth::store {

inline constexpr size_t kMaxModelfileBytes = 16 << 20;

struct FromLine {
  std::string value;  // a GGUF path, a blob digest or a model name (resolved by ModelStore::create)
  size_t line = 0;    // 0 when the spec did not come from a Modelfile
};

// Everything a new model is built from; the server fills one from an /api/create request directly.
struct ModelSpec {
  std::vector<FromLine> from;  // the first is the model; later ones must be projector GGUFs
  nlohmann::json parameters = nlohmann::json::object();  // typed, see model_options.h
  std::optional<std::string> template_text;
  std::optional<std::string> system;
  std::optional<nlohmann::json> messages;  // array of {role, content}; replaces inherited messages
  std::vector<std::string> licenses;
  std::optional<std::string> renderer;
  std::optional<std::string> parser;
  std::optional<std::string> requires_version;
  std::vector<std::string> warnings;  // ignored deprecated parameters
  // FROM may name files on this machine. A server building a spec from a request sets this to false, so
  // FROM can only be a blob digest or a model name.
  bool allow_local_files = true;
};

// Errors name the line: "Modelfile line 3: unknown parameter 'temprature'".
Result<ModelSpec> parse_modelfile(std::string_view text);

}  // namespace hearth::store
