#pragma once
// llama.cpp's load-time rules for special tokens (spec/tokenizers.md §2, §8): token attributes, default and
// text-detected special ids, and the end-of-generation set.
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/bpe_model.h"
#include "tokenizer/vocabulary.h"

namespace hearth::tokenizer {

// Attribute bits (llama.h llama_token_attr); a token can carry several.
namespace token_attribute {
inline constexpr uint16_t kUnknown = 1;
inline constexpr uint16_t kUnused = 2;
inline constexpr uint16_t kNormal = 4;
inline constexpr uint16_t kControl = 8;
inline constexpr uint16_t kUserDefined = 16;
inline constexpr uint16_t kByte = 32;
}  // namespace token_attribute

uint16_t attributes_of(TokenType type);

// Resolved special ids; kNoToken where the vocabulary has none.
struct SpecialTokens {
  TokenId bos = kNoToken, eos = kNoToken, eot = kNoToken, eom = kNoToken;
  TokenId unknown = kNoToken, separator = kNoToken, padding = kNoToken, mask = kNoToken;
  TokenId fim_pre = kNoToken, fim_suf = kNoToken, fim_mid = kNoToken;
  TokenId fim_pad = kNoToken, fim_rep = kNoToken, fim_sep = kNoToken;
};

struct SpecialTokenSetup {
  SpecialTokens ids;
  std::vector<TokenId> end_of_generation;  // sorted
};

// Applies the file's ids over the per-kind defaults (an id out of range is ignored with a warning), detects
// EOT/EOM/FIM tokens by their text, and builds the end-of-generation set, adjusting `attributes` the way
// llama.cpp does (detected tokens become CONTROL, for instance).
SpecialTokenSetup resolve_special_tokens(const Vocabulary& vocabulary, const BpeModel& model,
                                         std::vector<uint16_t>& attributes, std::vector<std::string>& warnings);

}  // namespace hearth::tokenizer
