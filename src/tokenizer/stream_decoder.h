#pragma once
// Incremental detokenization for streamed output: token pieces go in, only whole UTF-8 characters come out.
// A character split across tokens (byte-fallback tokens, byte-level pieces) is held back until it completes;
// bytes that can never form a character come out as U+FFFD, one per maximal invalid subsequence (the Unicode
// "substitution of maximal subparts" practice), so the output is always valid UTF-8.
#include <string>

#include "tokenizer/tokenizer.h"

namespace hearth::tokenizer {

class StreamDecoder {
 public:
  StreamDecoder(const Tokenizer& tokenizer, bool render_special)
      : tokenizer_(&tokenizer), render_special_(render_special) {}

  // The text that this token completes; may be empty while a character is still incomplete.
  std::string push(TokenId id);

  // Whatever is still held back (an unfinished character becomes U+FFFD); the decoder is empty afterwards.
  std::string finish();

 private:
  std::string take_complete(bool at_end);

  const Tokenizer* tokenizer_;
  bool render_special_;
  std::string pending_;
};

}  // namespace hearth::tokenizer
