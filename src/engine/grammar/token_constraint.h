#pragma once
// Constrained sampling: keeps the parse of the text generated so far and masks every token whose bytes
// cannot continue it (llama.cpp's grammar sampler, done over a shared byte trie of the vocabulary and a
// lazily built parse DFA, so one mask over a 262k-token vocabulary touches each reachable trie node once
// with a table lookup).
//
// Use per request, from one thread at a time: mask() before sampling, accept() with the sampled token. The
// cached DFA is private to the instance; the Grammar and TokenTrie are shared and immutable.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/parse_automaton.h"
#include "engine/grammar/token_trie.h"
#include "tokenizer/tokenizer.h"

namespace hearth::engine::grammar {

class TokenConstraint {
 public:
  // Builds a TokenTrie for this tokenizer (about a second for 262k tokens): prefer the overload below with
  // a trie cached per loaded model.
  static Result<std::unique_ptr<TokenConstraint>> create(const Grammar& grammar,
                                                         const tokenizer::Tokenizer& tokenizer);
  static Result<std::unique_ptr<TokenConstraint>> create(std::shared_ptr<const Grammar> grammar,
                                                         std::shared_ptr<const TokenTrie> trie);

  // Sets -infinity on every token that cannot continue the grammar. End-of-generation tokens stay only when
  // the value is complete; special tokens never stay. `logits` has one entry per vocabulary token (extra
  // entries past the vocabulary, as some models pad, are masked too). If a parse limit is hit for some
  // token, that token is masked (conservative) and limit_error() says so.
  void mask(std::span<float> logits) const;
  // Whether mask() would keep `token` (cheap: walks only that token's bytes).
  bool allows(int32_t token) const;
  // Advances over the token's bytes. An error (and no change) when the token cannot continue the grammar.
  Status accept(int32_t token);

  bool complete() const;   // the value is finished: ending now is allowed
  bool must_end() const;   // the value is finished and nothing may follow it
  const std::string& limit_error() const { return automaton_.last_error(); }

 private:
  TokenConstraint(std::shared_ptr<const TokenTrie> trie, ParseAutomaton automaton);
  uint32_t walk(uint32_t state, std::string_view bytes) const;
  void compact_if_large() const;

  std::shared_ptr<const TokenTrie> trie_;
  mutable ParseAutomaton automaton_;
  mutable uint32_t state_;
  bool ended_ = false;
  mutable std::vector<uint32_t> depth_states_;
  mutable std::vector<uint8_t> allowed_;
};

}  // namespace hearth::engine::grammar
