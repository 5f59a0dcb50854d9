#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

namespace hearth::tokenizer::byte_level {
namespace {

constexpr bool maps_to_itself(uint32_t byte) {
  return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

// The bytes that are not printable as themselves take U+0100, U+0101, ... in increasing byte order.
constexpr std::array<uint32_t, 256> make_byte_to_code_point() {
  std::array<uint32_t, 256> table{};
  uint32_t next_shifted = 0x100;
  for (uint32_t byte = 0; byte < 256; ++byte) table[byte] = maps_to_itself(byte) ? byte : next_shifted++;
  return table;
}

constexpr std::array<uint32_t, 256> kByteToCodePoint = make_byte_to_code_point();

// Every mapped code point is below U+0144; -1 marks code points outside the map.
constexpr uint32_t kCodePointLimit = 0x144;
constexpr std::array<int16_t, kCodePointLimit> make_code_point_to_byte() {
  std::array<int16_t, kCodePointLimit> table{};
  for (int16_t& entry : table) entry = -1;
  for (uint32_t byte = 0; byte < 256; ++byte) table[kByteToCodePoint[byte]] = static_cast<int16_t>(byte);
  return table;
}

constexpr std::array<int16_t, kCodePointLimit> kCodePointToByte = make_code_point_to_byte();

struct EncodedByte {
  char bytes[2];
  uint8_t length;
};

std::array<EncodedByte, 256> make_encoded_bytes() {
  std::array<EncodedByte, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    std::string text;
    utf8::append(text, kByteToCodePoint[byte]);
    table[byte].length = static_cast<uint8_t>(text.size());
    for (size_t i = 0; i < text.size(); ++i) table[byte].bytes[i] = text[i];
  }
  return table;
}

}  // namespace

uint32_t byte_to_code_point(uint8_t byte) { return kByteToCodePoint[byte]; }

std::optional<uint8_t> code_point_to_byte(uint32_t code_point) {
  if (code_point >= kCodePointLimit || kCodePointToByte[code_point] < 0) return std::nullopt;
  return static_cast<uint8_t>(kCodePointToByte[code_point]);
}

void append_encoded(std::string& out, std::string_view bytes) {
  static const std::array<EncodedByte, 256> encoded = make_encoded_bytes();
  for (char byte : bytes) {
    const EncodedByte& mapped = encoded[static_cast<uint8_t>(byte)];
    out.append(mapped.bytes, mapped.length);
  }
}

}  // namespace hearth::tokenizer::byte_level
