#pragma once
// Every token's bytes in one prefix tree, laid out in depth-first order so a constraint can walk it with a
// flat loop and skip a whole subtree (every token sharing a dead prefix) in one jump. Built once per
// tokenizer; immutable and safe to share between threads and requests.
//
// Ordinary tokens are filed under their bytes, CONTROL and USER_DEFINED tokens under special_token_bytes()
// (so only a grammar that names them accepts them); UNKNOWN and UNUSED tokens and tokens with no bytes never
// appear in constrained output. End-of-generation tokens are kept apart.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace hearth::engine::grammar {

class TokenTrie {
 public:
  struct Node {
    uint32_t subtree_end;  // index of the first node after this node's subtree
    uint32_t first_token;  // into tokens(): the tokens whose bytes end at this node
    uint32_t token_count;
    uint16_t depth;        // bytes from the root; the root (node 0) has depth 0 and no byte
    uint8_t byte;
  };

  // Tokens longer than this many bytes are left out (no real vocabulary has them).
  static constexpr size_t kMaxPieceBytes = 1024;

  static std::shared_ptr<const TokenTrie> build(const tokenizer::Tokenizer& tokenizer);

  std::span<const Node> nodes() const { return nodes_; }
  std::span<const int32_t> tokens() const { return tokens_; }
  size_t vocab_size() const { return piece_offsets_.size() - 1; }
  size_t max_depth() const { return max_depth_; }
  // The bytes the token is filed under, empty for tokens left out of the trie.
  std::string_view piece(int32_t token) const;
  bool is_end_of_generation(int32_t token) const;
  std::span<const int32_t> end_of_generation() const { return end_of_generation_; }

 private:
  std::vector<Node> nodes_;
  std::vector<int32_t> tokens_;
  std::vector<char> piece_bytes_;
  std::vector<uint32_t> piece_offsets_;  // vocab_size + 1 entries
  std::vector<int32_t> end_of_generation_;
  std::vector<bool> end_of_generation_flags_;
  size_t max_depth_ = 0;
};

}  // namespace hearth::engine::grammar
