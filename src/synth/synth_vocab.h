#pragma once
// A gemma4-type tokenizer for synthetic models: the Gemma 4 special tokens, the 256 byte-fallback tokens and
// deterministic unique filler pieces, with a small merges list so ordinary text still tokenizes into
// multi-character pieces. With the real vocab size every special token sits at its real id.
#include <cstdint>
#include <string>
#include <vector>

namespace hearth::synth {

inline constexpr uint32_t kMinSynthVocab = 512;

// tokenizer.ggml.token_type values (llama.cpp llama_token_type).
enum class TokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct SynthVocab {
  std::vector<std::string> tokens;
  std::vector<TokenType> types;
  std::vector<std::string> merges;  // "left right", rank = index
  uint32_t bos_id = 0;
  uint32_t eos_id = 0;
  uint32_t unknown_id = 0;
  uint32_t padding_id = 0;
  uint32_t mask_id = 0;
};

// n_vocab >= kMinSynthVocab. Vocabularies that can hold the real ids (>= 258885 tokens) use Gemma 4's layout;
// smaller ones put the special tokens first, in the order of the tiny test fixtures.
SynthVocab build_synth_vocab(uint32_t n_vocab);

}  // namespace hearth::synth
