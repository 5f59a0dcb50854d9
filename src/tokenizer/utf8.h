#pragma once
// UTF-8 helpers with llama.cpp's exact leniency (spec/tokenizers.md §6.1), so that text reaches the
// pre-tokenizer and BPE in the same form it does there.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::tokenizer::utf8 {

inline constexpr uint32_t kReplacementCharacter = 0xFFFD;

// Bytes in the sequence announced by `lead`, counting a stray continuation byte as one (unicode_len_utf8).
inline size_t sequence_length(uint8_t lead) {
  static constexpr uint8_t kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[lead >> 4];
}

// Encodes any code point up to U+10FFFF, surrogates included (llama.cpp re-encodes them as it decoded them).
void append(std::string& out, uint32_t code_point);

// Decodes the code point at `offset` and advances past it. Overlong forms and surrogates are accepted as
// llama.cpp accepts them; an invalid byte yields U+FFFD and advances by one; a value above U+10FFFF (which
// llama.cpp cannot re-encode) yields U+FFFD for its whole sequence.
uint32_t decode(std::string_view bytes, size_t& offset);

// Decodes and re-encodes the whole text: the form the pre-tokenizer and BPE see.
std::string canonicalize(std::string_view bytes);

}  // namespace hearth::tokenizer::utf8
