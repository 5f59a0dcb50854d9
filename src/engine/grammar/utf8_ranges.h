#pragma once
// Turns a set of Unicode code point ranges into UTF-8 byte-range sequences, so that grammars can be matched
// one byte at a time (the token trie is a byte trie; tokens may end inside a character).
#include <array>
#include <cstdint>
#include <vector>

namespace hearth::engine::grammar {

struct CodePointRange {
  char32_t first;
  char32_t last;  // inclusive
};

inline constexpr char32_t kMaxCodePoint = 0x10FFFF;

struct ByteRange {
  uint8_t first;
  uint8_t last;  // inclusive
};

// One UTF-8 encoding length: the i-th byte of a matching character lies in ranges[i].
struct Utf8Sequence {
  std::array<ByteRange, 4> ranges;
  uint8_t length;
};

// Sorted, merged ranges within [0, 0x10FFFF] without the surrogates (which UTF-8 cannot encode); with
// `negated`, the complement of the given ranges in that same space.
std::vector<CodePointRange> normalize_ranges(std::vector<CodePointRange> ranges, bool negated);

// The byte sequences whose union is exactly the UTF-8 encodings of `ranges` (normalized).
std::vector<Utf8Sequence> utf8_sequences(const std::vector<CodePointRange>& ranges);

}  // namespace hearth::engine::grammar
