#include "tokenizer/stream_decoder.h"

#include <cstdint>

namespace hearth::tokenizer {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

struct SequenceRule {
  size_t length;        // 0 for a byte that cannot start a character
  uint8_t second_low;   // allowed range of the second byte (narrower after E0, ED, F0, F4)
  uint8_t second_high;
};

// Well-formed UTF-8 (Unicode Table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF.
SequenceRule rule_for(uint8_t lead) {
  if (lead < 0x80) return {1, 0, 0};
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

std::string StreamDecoder::push(TokenId id) {
  pending_ += tokenizer_->token_to_piece(id, render_special_);
  return take_complete(false);
}

std::string StreamDecoder::finish() { return take_complete(true); }

std::string StreamDecoder::take_complete(bool at_end) {
  std::string out;
  size_t start = 0;
  while (start < pending_.size()) {
    const auto lead = static_cast<uint8_t>(pending_[start]);
    const SequenceRule rule = rule_for(lead);
    if (rule.length == 0) {
      out += kReplacement;
      ++start;
      continue;
    }
    size_t valid = 1;  // bytes of the sequence checked so far
    while (valid < rule.length && start + valid < pending_.size()) {
      const auto byte = static_cast<uint8_t>(pending_[start + valid]);
      const uint8_t low = valid == 1 ? rule.second_low : 0x80;
      const uint8_t high = valid == 1 ? rule.second_high : 0xBF;
      if (byte < low || byte > high) break;
      ++valid;
    }
    if (valid == rule.length) {
      out.append(pending_, start, valid);
    } else if (start + valid < pending_.size() || at_end) {
      out += kReplacement;  // cut short by a byte that cannot continue it, or by the end of the stream
    } else {
      break;  // a prefix that the next token may complete
    }
    start += valid;
  }
  pending_.erase(0, start);
  return out;
}

}  // namespace hearth::tokenizer
