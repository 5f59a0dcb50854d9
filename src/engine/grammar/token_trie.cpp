#include "engine/grammar/token_trie.h"

#include <algorithm>
#include <string>

#include "engine/grammar/special_token.h"

namespace hearth::engine::grammar {
namespace {

bool is_unusable(uint16_t attributes) {
  using namespace tokenizer::token_attribute;
  return (attributes & (kUnknown | kUnused)) != 0;
}

bool is_marker(uint16_t attributes) {
  using namespace tokenizer::token_attribute;
  return (attributes & (kControl | kUserDefined)) != 0;
}

// The bytes a token is filed under, empty when it never appears in constrained output.
std::string trie_piece(const tokenizer::Tokenizer& tokenizer, tokenizer::TokenId token) {
  const uint16_t attributes = tokenizer.attributes(token);
  if (is_unusable(attributes)) return {};
  if (is_marker(attributes)) return special_token_bytes(token);
  std::string piece = tokenizer.token_to_piece(token, /*render_special=*/false);
  // Byte 0xFF is never valid text, and it leads the special-token names.
  if (piece.find(kSpecialTokenLead) != std::string::npos) return {};
  return piece;
}

}  // namespace

std::shared_ptr<const TokenTrie> TokenTrie::build(const tokenizer::Tokenizer& tokenizer) {
  auto trie = std::make_shared<TokenTrie>();
  const size_t vocab_size = tokenizer.size();
  trie->piece_offsets_.reserve(vocab_size + 1);
  trie->piece_offsets_.push_back(0);
  trie->end_of_generation_flags_.assign(vocab_size, false);
  for (tokenizer::TokenId id : tokenizer.end_of_generation()) {
    if (id >= 0 && static_cast<size_t>(id) < vocab_size) {
      trie->end_of_generation_flags_[static_cast<size_t>(id)] = true;
      trie->end_of_generation_.push_back(id);
    }
  }
  std::vector<int32_t> text_tokens;
  for (size_t id = 0; id < vocab_size; ++id) {
    const auto token = static_cast<tokenizer::TokenId>(id);
    if (!trie->end_of_generation_flags_[id]) {
      const std::string piece = trie_piece(tokenizer, token);
      if (!piece.empty() && piece.size() <= kMaxPieceBytes) {
        trie->piece_bytes_.insert(trie->piece_bytes_.end(), piece.begin(), piece.end());
        text_tokens.push_back(token);
      }
    }
    trie->piece_offsets_.push_back(static_cast<uint32_t>(trie->piece_bytes_.size()));
  }

  std::sort(text_tokens.begin(), text_tokens.end(), [&](int32_t a, int32_t b) {
    const std::string_view piece_a = trie->piece(a);
    const std::string_view piece_b = trie->piece(b);
    return piece_a != piece_b ? piece_a < piece_b : a < b;
  });

  // Sorted pieces give the depth-first order directly: each piece shares a prefix with the path to the
  // previous one, closes the nodes below that prefix and opens one node per remaining byte.
  std::vector<Node>& nodes = trie->nodes_;
  nodes.push_back({0, 0, 0, 0, 0});
  std::vector<uint32_t> path{0};  // node index per depth
  std::string_view previous;
  for (int32_t token : text_tokens) {
    const std::string_view piece = trie->piece(token);
    size_t shared = 0;
    while (shared < previous.size() && shared < piece.size() && previous[shared] == piece[shared]) ++shared;
    while (path.size() > shared + 1) {
      nodes[path.back()].subtree_end = static_cast<uint32_t>(nodes.size());
      path.pop_back();
    }
    for (size_t depth = shared + 1; depth <= piece.size(); ++depth) {
      path.push_back(static_cast<uint32_t>(nodes.size()));
      nodes.push_back({0, static_cast<uint32_t>(trie->tokens_.size()), 0, static_cast<uint16_t>(depth),
                       static_cast<uint8_t>(piece[depth - 1])});
    }
    Node& end = nodes[path.back()];
    if (end.token_count == 0) end.first_token = static_cast<uint32_t>(trie->tokens_.size());
    ++end.token_count;
    trie->tokens_.push_back(token);
    trie->max_depth_ = std::max(trie->max_depth_, piece.size());
    previous = piece;
  }
  while (!path.empty()) {
    nodes[path.back()].subtree_end = static_cast<uint32_t>(nodes.size());
    path.pop_back();
  }
  return trie;
}

std::string_view TokenTrie::piece(int32_t token) const {
  if (token < 0 || static_cast<size_t>(token) >= vocab_size()) return {};
  const uint32_t begin = piece_offsets_[static_cast<size_t>(token)];
  const uint32_t end = piece_offsets_[static_cast<size_t>(token) + 1];
  return {piece_bytes_.data() + begin, end - begin};
}

bool TokenTrie::is_end_of_generation(int32_t token) const {
  return token >= 0 && static_cast<size_t>(token) < vocab_size() && end_of_generation_flags_[static_cast<size_t>(token)];
}

}  // namespace hearth::engine::grammar
