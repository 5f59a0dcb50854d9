#pragma once
// Rank-based BPE merging of one pre-tokenized word, exactly as llama.cpp's llm_tokenizer_bpe_session does it
// (spec/tokenizers.md §7), over integer ids instead of strings: every token text, merge part and merge result
// is interned once, and each merge records the id of the string it produces.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tokenizer/flat_table.h"
#include "tokenizer/vocabulary.h"

namespace hearth::tokenizer {

// How a symbol that is not a token falls back to byte tokens.
enum class ByteFallback {
  RawByteToken,  // the token whose text is the single byte (byte-level vocabularies)
  HexByteToken,  // the token `<0xXX>` (Gemma 4)
};

class BpeModel {
 public:
  // Per-call working memory, reused across the words of one text.
  struct Scratch {
    struct Symbol {
      int32_t id;  // interned string id, or -1 when the text is neither a token nor part of a merge
      uint32_t start;
      uint32_t length;  // 0 once merged into its left neighbour
      int32_t prev;
      int32_t next;
    };
    struct Candidate {
      uint32_t rank;
      int32_t left;
      int32_t right;
      uint32_t length;  // combined length when queued; a different sum later means the pair is stale
      int32_t result;   // id of the merged string
    };
    std::vector<Symbol> symbols;
    std::vector<Candidate> queue;
  };

  // Fails on duplicate token texts and on merges without a separating space.
  static Result<BpeModel> create(const std::vector<std::string>& tokens, const std::vector<std::string>& merges,
                                 ByteFallback byte_fallback);

  size_t token_count() const { return token_count_; }
  std::string_view token_text(TokenId id) const { return text_at(spans_[static_cast<size_t>(id)]); }
  TokenId find_token(std::string_view text) const;

  // Appends the ids of `word`. With `whole_word_if_token`, a word that is itself a token is emitted as is.
  void encode_word(std::string_view word, bool whole_word_if_token, std::vector<TokenId>& out,
                   Scratch& scratch) const;

 private:
  struct TextSpan {
    uint32_t offset;
    uint32_t length;
  };
  // Keeps the first bytes of its text, so that comparing a short text (most tokens) needs no arena access.
  struct TextSlot {
    static constexpr size_t kHeadBytes = 16;
    uint32_t text_hash = 0;
    int32_t id = -1;
    TextSpan span{};
    char head[kHeadBytes] = {};
    bool used() const { return id >= 0; }
    uint32_t hash() const { return text_hash; }
  };
  struct MergeSlot {
    int32_t left = -1;
    int32_t right = -1;
    uint32_t rank = 0;
    int32_t result = -1;
    bool used() const { return left >= 0; }
    uint32_t hash() const;
  };

  std::string_view text_at(TextSpan span) const { return {arena_.data() + span.offset, span.length}; }
  int32_t find_string(std::string_view text) const;
  // The id of `text`, adding it when new (`added` says which).
  int32_t intern(std::string_view text, bool* added = nullptr);
  bool slot_holds(const TextSlot& slot, std::string_view text) const;
  int32_t character_id(std::string_view character) const;
  const MergeSlot* find_merge(int32_t left, int32_t right) const;
  void queue_pair(int32_t left, int32_t right, Scratch& scratch) const;

  size_t token_count_ = 0;
  std::string arena_;            // token texts, then merge strings that are not tokens; grows by appending
  std::vector<TextSpan> spans_;  // by id: tokens first, then the extra strings
  FlatTable<TextSlot> text_table_;
  FlatTable<MergeSlot> merge_table_;
  std::vector<int32_t> two_byte_ids_;  // string id of each code point below U+0800, the bulk of symbol lookups
  std::array<TokenId, 256> byte_tokens_{};
};

}  // namespace hearth::tokenizer
