#pragma once
// A lazily built DFA over a Recognizer: each distinct set of live stacks becomes a state with a 256-entry
// transition row, filled on first use. Walking the token trie then costs one table lookup per trie node in
// the common case, since most trie paths revisit the same few parse states (inside a JSON string every
// ordinary character leads back to the same state).
//
// Memory is bounded: past kMaxStates states a step reports overflow (a dead end) instead of growing, and
// compact() drops everything but one state so that a long generation does not accumulate states.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/recognizer.h"

namespace hearth::engine::grammar {

class ParseAutomaton {
 public:
  static constexpr uint32_t kDead = 0;  // no stack left: the input cannot continue
  static constexpr size_t kMaxStates = 16384;
  // compact() is worth running once the cache holds this many states or stack nodes.
  static constexpr size_t kCompactStates = 2048;
  static constexpr size_t kCompactStackNodes = size_t{1} << 18;

  static Result<ParseAutomaton> create(std::shared_ptr<const Grammar> grammar, RecognizerLimits limits = {});

  uint32_t initial_state() const { return initial_state_; }

  // The state after `byte`; kDead when no stack accepts it, or when a limit was hit (then overflowed() is
  // set and last_error() says which).
  uint32_t step(uint32_t state, uint8_t byte) {
    const uint32_t next = transitions_[static_cast<size_t>(state) * 256 + byte];
    return next != kUnknown ? next : step_slow(state, byte);
  }

  bool accepting(uint32_t state) const;       // the input so far is a complete sentence
  bool only_accepting(uint32_t state) const;  // ... and nothing may follow
  bool overflowed() const { return overflowed_; }
  const std::string& last_error() const { return last_error_; }
  void clear_overflow() { overflowed_ = false; }

  bool needs_compaction() const;
  // Forgets every state and stack except `state`, which is returned under its new id.
  uint32_t compact(uint32_t state);

 private:
  static constexpr uint32_t kUnknown = UINT32_MAX;

  struct SetHash {
    size_t operator()(const std::vector<uint32_t>& set) const;
  };

  explicit ParseAutomaton(std::shared_ptr<const Grammar> grammar, RecognizerLimits limits);
  uint32_t step_slow(uint32_t state, uint8_t byte);
  uint32_t intern(std::vector<uint32_t> set);
  void reset_states();

  std::shared_ptr<const Grammar> grammar_;
  std::unique_ptr<Recognizer> recognizer_;
  std::vector<std::vector<uint32_t>> sets_;
  std::unordered_map<std::vector<uint32_t>, uint32_t, SetHash> set_index_;
  std::vector<uint32_t> transitions_;
  std::vector<uint32_t> scratch_;
  uint32_t initial_state_ = kDead;
  bool overflowed_ = false;
  std::string last_error_;
};

}  // namespace hearth::engine::grammar
