// libFuzzer harness for structured output: arbitrary bytes as a JSON schema. Compiling must give a grammar
// or a clear error, never a crash, a hang or unbounded memory; a compiled grammar is then run over a few
// JSON documents and over the input itself, which must finish within the recognizer's bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/grammar/json_schema.h"
#include "engine/grammar/recognizer.h"

namespace {

// Schemas in requests are small; bigger inputs only slow the fuzzer down.
constexpr size_t kMaxInputBytes = 4096;

constexpr std::string_view kDocuments[] = {
    "{}", "[]", "null", "0", "-12.5e3", "\"text\"", "true", R"({"a": [1, {"b": null}], "c": "d"})",
    "[\"2024-01-02T03:04:05Z\", \"123e4567-e89b-12d3-a456-426614174000\"]",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInputBytes) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hearth::Result<hearth::engine::grammar::Grammar> grammar = hearth::engine::grammar::grammar_from_json_schema_text(text);
  if (!grammar.ok()) {
    if (grammar.error().empty()) std::abort();
    return 0;
  }
  for (std::string_view document : kDocuments) {
    (void)hearth::engine::grammar::grammar_matches(*grammar, document);
  }
  (void)hearth::engine::grammar::grammar_matches(*grammar, text);
  return 0;
}
