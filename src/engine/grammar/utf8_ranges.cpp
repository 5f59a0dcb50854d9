#include "engine/grammar/utf8_ranges.h"

#include <algorithm>

namespace hearth::engine::grammar {
namespace {

constexpr char32_t kSurrogateFirst = 0xD800;
constexpr char32_t kSurrogateLast = 0xDFFF;

int encoded_length(char32_t code_point) {
  if (code_point < 0x80) return 1;
  if (code_point < 0x800) return 2;
  if (code_point < 0x10000) return 3;
  return 4;
}

std::array<uint8_t, 4> encode(char32_t code_point, int length) {
  std::array<uint8_t, 4> bytes{};
  switch (length) {
    case 1:
      bytes[0] = static_cast<uint8_t>(code_point);
      break;
    case 2:
      bytes[0] = static_cast<uint8_t>(0xC0 | (code_point >> 6));
      bytes[1] = static_cast<uint8_t>(0x80 | (code_point & 0x3F));
      break;
    case 3:
      bytes[0] = static_cast<uint8_t>(0xE0 | (code_point >> 12));
      bytes[1] = static_cast<uint8_t>(0x80 | ((code_point >> 6) & 0x3F));
      bytes[2] = static_cast<uint8_t>(0x80 | (code_point & 0x3F));
      break;
    default:
      bytes[0] = static_cast<uint8_t>(0xF0 | (code_point >> 18));
      bytes[1] = static_cast<uint8_t>(0x80 | ((code_point >> 12) & 0x3F));
      bytes[2] = static_cast<uint8_t>(0x80 | ((code_point >> 6) & 0x3F));
      bytes[3] = static_cast<uint8_t>(0x80 | (code_point & 0x3F));
      break;
  }
  return bytes;
}

// Splits [first, last] (one encoding length) until every byte position spans a full range, which is when
// the range is a plain product of per-byte ranges.
void split_same_length(char32_t first, char32_t last, int length, std::vector<Utf8Sequence>& out) {
  for (int i = 1; i < length; ++i) {
    const char32_t low_bits = (char32_t{1} << (6 * i)) - 1;
    if ((first & ~low_bits) == (last & ~low_bits)) continue;
    if ((first & low_bits) != 0) {
      split_same_length(first, first | low_bits, length, out);
      split_same_length((first | low_bits) + 1, last, length, out);
      return;
    }
    if ((last & low_bits) != low_bits) {
      split_same_length(first, (last & ~low_bits) - 1, length, out);
      split_same_length(last & ~low_bits, last, length, out);
      return;
    }
  }
  const auto first_bytes = encode(first, length);
  const auto last_bytes = encode(last, length);
  Utf8Sequence sequence{};
  sequence.length = static_cast<uint8_t>(length);
  for (int i = 0; i < length; ++i) sequence.ranges[static_cast<size_t>(i)] = {first_bytes[i], last_bytes[i]};
  out.push_back(sequence);
}

}  // namespace

std::vector<CodePointRange> normalize_ranges(std::vector<CodePointRange> ranges, bool negated) {
  std::vector<CodePointRange> clipped;
  for (CodePointRange range : ranges) {
    if (range.first > range.last || range.first > kMaxCodePoint) continue;
    range.last = std::min(range.last, kMaxCodePoint);
    clipped.push_back(range);
  }
  std::sort(clipped.begin(), clipped.end(),
            [](const CodePointRange& a, const CodePointRange& b) { return a.first < b.first; });
  std::vector<CodePointRange> merged;
  for (const CodePointRange& range : clipped) {
    if (!merged.empty() && range.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, range.last);
    } else {
      merged.push_back(range);
    }
  }
  if (negated) {
    std::vector<CodePointRange> complement;
    char32_t next = 0;
    for (const CodePointRange& range : merged) {
      if (range.first > next) complement.push_back({next, range.first - 1});
      next = range.last + 1;
    }
    if (next <= kMaxCodePoint) complement.push_back({next, kMaxCodePoint});
    merged = std::move(complement);
  }
  std::vector<CodePointRange> result;
  for (const CodePointRange& range : merged) {
    if (range.last < kSurrogateFirst || range.first > kSurrogateLast) {
      result.push_back(range);
      continue;
    }
    if (range.first < kSurrogateFirst) result.push_back({range.first, kSurrogateFirst - 1});
    if (range.last > kSurrogateLast) result.push_back({kSurrogateLast + 1, range.last});
  }
  return result;
}

std::vector<Utf8Sequence> utf8_sequences(const std::vector<CodePointRange>& ranges) {
  static constexpr char32_t kLengthEnds[] = {0x7F, 0x7FF, 0xFFFF, kMaxCodePoint};
  std::vector<Utf8Sequence> out;
  for (const CodePointRange& range : ranges) {
    char32_t first = range.first;
    while (first <= range.last) {
      const int length = encoded_length(first);
      const char32_t last = std::min(range.last, kLengthEnds[length - 1]);
      split_same_length(first, last, length, out);
      first = last + 1;
    }
  }
  return out;
}

}  // namespace hearth::engine::grammar
