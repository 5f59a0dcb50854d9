#pragma once
// The plain description of a tokenizer (spec/tokenizers.md §2), independent of where it was read from.
// `Tokenizer::create` validates it and applies llama.cpp's load rules; `vocabulary_from_gguf` fills it from
// GGUF metadata.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hearth::tokenizer {

using TokenId = int32_t;
inline constexpr TokenId kNoToken = -1;

// Values of `tokenizer.ggml.token_type`.
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

// Pre-tokenizer families of llama.cpp (spec §1, §6); several `tokenizer.ggml.pre` strings map to each. The
// family also fixes the BPE flavour: Gemma4 merges raw UTF-8 with spaces as U+2581 and <0xXX> byte fallback,
// all others are GPT-2 byte-level BPE.
enum class PreTokenizerKind {
  Llama3,  // llama3, llama-v3, llama-bpe: digits in runs of up to 3, whole-word tokens skip merging
  Qwen2,   // qwen2, deepseek-r1-qwen, kormo, f2llmv2, megrez: single digits
  Qwen35,  // qwen35: like qwen2 with combining marks joined to letters
  Gpt4o,   // gpt-4o, llama4, kanana2, talkie
  Gemma4,  // gemma4, granite-embed-multi-311m: only newline runs are split off
};

// Special token ids as stored in the file; absent keys stay empty.
struct SpecialTokenIds {
  std::optional<uint32_t> bos, eos, eot, eom, unknown, separator, padding, mask;
  std::optional<uint32_t> fim_pre, fim_suf, fim_mid, fim_pad, fim_rep, fim_sep;
};

struct Vocabulary {
  PreTokenizerKind pre = PreTokenizerKind::Llama3;
  std::vector<std::string> tokens;  // text by id
  std::vector<float> scores;        // empty, or one per token (unused by BPE)
  std::vector<TokenType> types;     // empty (all Normal), or one per token
  std::vector<std::string> merges;  // "left right", rank = index
  SpecialTokenIds special;
  std::optional<bool> add_bos;  // file overrides of the per-kind defaults
  std::optional<bool> add_eos;
};

}  // namespace hearth::tokenizer
