#pragma once
// Base64 (RFC 4648, standard alphabet, padding optional) for media sent inside JSON.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::server {

// nullopt when the text is not valid base64 (whitespace is not allowed).
std::optional<std::vector<uint8_t>> decode_base64(std::string_view text);
std::string encode_base64(std::span<const uint8_t> bytes);

}  // namespace hearth::server
