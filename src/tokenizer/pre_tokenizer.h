#pragma once
// Splits text into the words BPE merges within (spec/tokenizers.md §6). The regexes are llama.cpp's, run by
// PCRE2 in UTF + Unicode-property mode, with `\s` spelled out as llama.cpp's whitespace set.
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tokenizer/vocabulary.h"

namespace hearth::tokenizer {

class PreTokenizer {
 public:
  static Result<PreTokenizer> create(PreTokenizerKind kind);

  // Appends the pieces of `text` (canonical UTF-8, see utf8::canonicalize) in order; together they cover it.
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

 private:
  struct CompiledPattern;
  std::shared_ptr<const CompiledPattern> pattern_;  // null for Gemma 4, whose split needs no regex
};

}  // namespace hearth::tokenizer
