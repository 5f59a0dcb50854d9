// Tokenizer's ids -> text direction (spec/tokenizers.md §9).
#include <cstdio>

#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace hearth::tokenizer {
namespace {

using namespace token_attribute;

std::string replace_space_markers(std::string_view text) {
  constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i, kSpaceMarker.size()) == kSpaceMarker) {
      out += ' ';
      i += kSpaceMarker.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The byte of a `<0xXX>` token; empty for any other text.
std::string byte_of(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return {};
  const int high = hex_digit(text[3]);
  const int low = hex_digit(text[4]);
  if (high < 0 || low < 0) return {};
  return std::string(1, static_cast<char>(high * 16 + low));
}

// llama.cpp's clean_up_tokenization_spaces, three in-place passes reproduced byte for byte, including the
// quirk that the second pass blanks the space after " ' " to NUL, which the next comparison then sees.
void clean_up_spaces(std::string& text) {
  size_t total = text.size();

  // " ?", " !", " .", " ," lose the space.
  size_t end = total;
  total = end ? 1 : 0;
  for (size_t i = 1; i < end; ++i) {
    const char c = text[i];
    if (text[i - 1] == ' ' && (c == '?' || c == '!' || c == '.' || c == ',')) --total;
    text[total++] = c;
  }

  // " ' " becomes "'".
  end = total;
  total = end ? 1 : 0;
  for (size_t i = 1; i < end; ++i) {
    const char c = text[i];
    if (c == '\'' && i + 1 < end && text[i - 1] == ' ' && text[i + 1] == ' ') {
      --total;
      text[++i] = '\0';
    }
    text[total++] = c;
  }

  // " 's", " 'm", " 're", " 've" lose the space; " 't", " 'd", " 'll" keep it.
  end = total;
  total = end ? 1 : 0;
  for (size_t i = 1; i < end; ++i) {
    const char c = text[i];
    if (text[i - 1] == ' ' && c == '\'' && i + 1 < end) {
      const char next = text[i + 1];
      if (next == 's' || next == 'm') {
        --total;
      } else if (next != 't' && next != 'd' && i + 2 < end) {
        const char after = text[i + 2];
        if ((next == 'r' && after == 'e') || (next == 'v' && after == 'e')) --total;
      }
    }
    text[total++] = c;
  }
  text.resize(total);
}

}  // namespace

std::string Tokenizer::decode_normal(std::string_view text) const {
  if (pre_kind_ == PreTokenizerKind::Gemma4) return replace_space_markers(text);
  std::string bytes;
  bytes.reserve(text.size());
  for (size_t offset = 0; offset < text.size();) {
    const uint32_t code_point = utf8::decode(text, offset);
    if (const std::optional<uint8_t> byte = byte_level::code_point_to_byte(code_point)) {
      bytes += static_cast<char>(*byte);
      continue;
    }
    // llama_decode_text's marker for a code point outside the byte map, whole token text included.
    std::string encoded;
    utf8::append(encoded, code_point);
    bytes += "[UNK_BYTE_0x";
    for (char c : encoded) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02x", static_cast<uint8_t>(c));
      bytes += hex;
    }
    bytes.append(text);
    bytes += ']';
  }
  return bytes;
}

std::string Tokenizer::token_to_piece(TokenId id, bool render_special) const {
  if (id < 0 || static_cast<size_t>(id) >= size()) return {};
  const uint16_t attribute = attributes(id);
  if (!render_special && (attribute & (kControl | kUnknown))) return {};
  const std::string_view text = token_text(id);
  if (attribute & (kControl | kUnknown | kUserDefined)) return std::string(text);
  if (attribute & kNormal) return decode_normal(text);
  if (attribute & kByte) return byte_of(text);
  return {};
}

std::string Tokenizer::detokenize(std::span<const TokenId> ids, bool remove_special, bool render_special) const {
  if (remove_special && add_bos_ && !ids.empty() && ids.front() == special_.bos) ids = ids.subspan(1);
  if (remove_special && add_eos_ && !ids.empty() && ids.back() == special_.eos) ids = ids.first(ids.size() - 1);
  std::string text;
  for (TokenId id : ids) text += token_to_piece(id, render_special);
  if (clean_spaces_) clean_up_spaces(text);
  return text;
}

}  // namespace hearth::tokenizer
