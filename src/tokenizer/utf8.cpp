#include "tokenizer/utf8.h"

namespace hearth::tokenizer::utf8 {
namespace {

bool is_continuation(std::string_view bytes, size_t index) {
  return index < bytes.size() && (static_cast<uint8_t>(bytes[index]) & 0xC0) == 0x80;
}

}  // namespace

void append(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

uint32_t decode(std::string_view bytes, size_t& offset) {
  const uint8_t lead = static_cast<uint8_t>(bytes[offset]);
  if (lead < 0x80) {
    offset += 1;
    return lead;
  }
  size_t length = 0;
  uint32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
  } else {
    offset += 1;  // continuation byte or 0xF8..0xFF as a lead
    return kReplacementCharacter;
  }
  for (size_t i = 1; i < length; ++i) {
    if (!is_continuation(bytes, offset + i)) {
      offset += 1;
      return kReplacementCharacter;
    }
    value = (value << 6) | (static_cast<uint8_t>(bytes[offset + i]) & 0x3F);
  }
  offset += length;
  return value > 0x10FFFF ? kReplacementCharacter : value;
}

std::string canonicalize(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t offset = 0;
  while (offset < bytes.size()) {
    if (static_cast<uint8_t>(bytes[offset]) < 0x80) {
      out += bytes[offset++];
    } else {
      append(out, decode(bytes, offset));
    }
  }
  return out;
}

}  // namespace hearth::tokenizer::utf8
