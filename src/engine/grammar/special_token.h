#pragma once
// How a grammar names a special token (a chat marker such as Gemma 4's <|tool_call>): byte 0xFF, which no
// UTF-8 text contains, then the token id in four bytes. The token trie files CONTROL and USER_DEFINED tokens
// under these bytes, so a grammar can require a marker and ordinary tokens spelling the marker's text
// cannot stand in for it.
#include <cstdint>
#include <string>

namespace hearth::engine::grammar {

inline constexpr char kSpecialTokenLead = '\xFF';

inline std::string special_token_bytes(int32_t token) {
  const auto id = static_cast<uint32_t>(token);
  return {kSpecialTokenLead, static_cast<char>(id & 0xFF), static_cast<char>((id >> 8) & 0xFF),
          static_cast<char>((id >> 16) & 0xFF), static_cast<char>(id >> 24)};
}

}  // namespace hearth::engine::grammar
