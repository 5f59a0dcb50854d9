#pragma once
// Text <-> token ids, bit-exact with llama.cpp for Gemma 4 and GPT-2 byte-level BPE vocabularies
// (spec/tokenizers.md). Immutable after creation; every const method may be called from several threads.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/vocabulary.h"

namespace hearth::tokenizer {

class Tokenizer {
 public:
  // Validates the vocabulary (duplicate texts, short score/type arrays, merges without a space, BOS/EOS needed
  // but missing) and applies llama.cpp's load rules.
  static Result<Tokenizer> create(Vocabulary vocabulary);

  // add_special: BOS/EOS as the vocabulary asks. parse_special: CONTROL tokens written in the text become
  // their ids (USER_DEFINED tokens always do).
  std::vector<TokenId> tokenize(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes of one token. CONTROL and UNKNOWN tokens render as their text only with `render_special`.
  // Pieces may end inside a UTF-8 character; use StreamDecoder to print them.
  std::string token_to_piece(TokenId id, bool render_special) const;

  // Concatenated pieces, with llama.cpp's space clean-up where the vocabulary asks for it. remove_special drops
  // a leading BOS / trailing EOS that add_special would have added.
  std::string detokenize(std::span<const TokenId> ids, bool remove_special, bool render_special) const;

  size_t size() const { return model_.token_count(); }
  PreTokenizerKind pre_tokenizer() const { return pre_kind_; }
  std::string_view token_text(TokenId id) const { return model_.token_text(id); }
  uint16_t attributes(TokenId id) const { return attributes_[static_cast<size_t>(id)]; }
  TokenId find_token(std::string_view text) const { return model_.find_token(text); }

  const SpecialTokens& special() const { return special_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  bool is_end_of_generation(TokenId id) const;
  const std::vector<TokenId>& end_of_generation() const { return end_of_generation_; }

  // Problems that llama.cpp also tolerates (an out-of-range special id, for instance).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Fragment {
    TokenId token;  // kNoToken for raw text
    std::string_view text;
  };

  Tokenizer() = default;
  std::vector<Fragment> split_special(std::string_view text, bool parse_special) const;
  void encode_raw(std::string_view text, std::vector<TokenId>& out, BpeModel::Scratch& scratch) const;
  std::string decode_normal(std::string_view text) const;

  PreTokenizerKind pre_kind_ = PreTokenizerKind::Llama3;
  BpeModel model_;
  PreTokenizer pre_tokenizer_;
  std::vector<uint16_t> attributes_;
  std::vector<TokenId> special_candidates_;  // CONTROL/USER_DEFINED/UNKNOWN ids, longest text first
  SpecialTokens special_;
  std::vector<TokenId> end_of_generation_;
  bool add_bos_ = false;
  bool add_eos_ = false;
  bool clean_spaces_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace hearth::tokenizer
