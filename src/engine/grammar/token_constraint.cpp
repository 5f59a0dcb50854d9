#include "engine/grammar/token_constraint.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace hearth::engine::grammar {

Result<std::unique_ptr<TokenConstraint>> TokenConstraint::create(const Grammar& grammar,
                                                                 const tokenizer::Tokenizer& tokenizer) {
  return create(std::make_shared<const Grammar>(grammar), TokenTrie::build(tokenizer));
}

Result<std::unique_ptr<TokenConstraint>> TokenConstraint::create(std::shared_ptr<const Grammar> grammar,
                                                                 std::shared_ptr<const TokenTrie> trie) {
  if (!trie) return make_error("no token trie given");
  Result<ParseAutomaton> automaton = ParseAutomaton::create(std::move(grammar));
  if (!automaton) return Error{automaton.error()};
  return std::unique_ptr<TokenConstraint>(new TokenConstraint(std::move(trie), std::move(*automaton)));
}

TokenConstraint::TokenConstraint(std::shared_ptr<const TokenTrie> trie, ParseAutomaton automaton)
    : trie_(std::move(trie)), automaton_(std::move(automaton)), state_(automaton_.initial_state()) {
  depth_states_.resize(trie_->max_depth() + 1);
  allowed_.resize(trie_->vocab_size());
}

void TokenConstraint::compact_if_large() const {
  if (automaton_.needs_compaction()) state_ = automaton_.compact(state_);
}

uint32_t TokenConstraint::walk(uint32_t state, std::string_view bytes) const {
  for (char c : bytes) {
    state = automaton_.step(state, static_cast<uint8_t>(c));
    if (state == ParseAutomaton::kDead) break;
  }
  return state;
}

void TokenConstraint::mask(std::span<float> logits) const {
  constexpr float kBlocked = -std::numeric_limits<float>::infinity();
  compact_if_large();
  automaton_.clear_overflow();
  std::fill(allowed_.begin(), allowed_.end(), uint8_t{0});
  if (!ended_) {
    const std::span<const TokenTrie::Node> nodes = trie_->nodes();
    const std::span<const int32_t> tokens = trie_->tokens();
    depth_states_[0] = state_;
    size_t index = 1;
    while (index < nodes.size()) {
      const TokenTrie::Node& node = nodes[index];
      const uint32_t next = automaton_.step(depth_states_[node.depth - 1u], node.byte);
      if (next == ParseAutomaton::kDead) {
        index = node.subtree_end;
        continue;
      }
      depth_states_[node.depth] = next;
      for (uint32_t i = 0; i < node.token_count; ++i) allowed_[static_cast<size_t>(tokens[node.first_token + i])] = 1;
      ++index;
    }
  }
  if (complete()) {
    for (int32_t token : trie_->end_of_generation()) allowed_[static_cast<size_t>(token)] = 1;
  }
  const size_t covered = std::min(logits.size(), allowed_.size());
  for (size_t i = 0; i < covered; ++i) {
    if (!allowed_[i]) logits[i] = kBlocked;
  }
  for (size_t i = covered; i < logits.size(); ++i) logits[i] = kBlocked;
}

bool TokenConstraint::allows(int32_t token) const {
  if (trie_->is_end_of_generation(token)) return complete();
  if (ended_) return false;
  const std::string_view piece = trie_->piece(token);
  return !piece.empty() && walk(state_, piece) != ParseAutomaton::kDead;
}

Status TokenConstraint::accept(int32_t token) {
  if (trie_->is_end_of_generation(token)) {
    if (!complete()) return make_error("end of generation before the constrained value is complete");
    ended_ = true;
    return Status::success();
  }
  if (ended_) return make_error("token ", token, " after the end of generation");
  const std::string_view piece = trie_->piece(token);
  if (piece.empty()) return make_error("token ", token, " is not allowed inside a constrained value");
  automaton_.clear_overflow();
  const uint32_t next = walk(state_, piece);
  if (next == ParseAutomaton::kDead) {
    if (automaton_.overflowed()) return make_error("constrained sampling: ", automaton_.last_error());
    return make_error("token ", token, " does not continue the constrained value");
  }
  state_ = next;
  compact_if_large();
  return Status::success();
}

bool TokenConstraint::complete() const { return automaton_.accepting(state_); }

bool TokenConstraint::must_end() const { return ended_ || automaton_.only_accepting(state_); }

}  // namespace hearth::engine::grammar
