#pragma once
// GPT-2's reversible map between bytes and printable code points (spec/tokenizers.md §6.6), which byte-level
// BPE vocabularies are written in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::tokenizer::byte_level {

uint32_t byte_to_code_point(uint8_t byte);
std::optional<uint8_t> code_point_to_byte(uint32_t code_point);

// Appends the UTF-8 of each byte's mapped code point.
void append_encoded(std::string& out, std::string_view bytes);

}  // namespace hearth::tokenizer::byte_level
