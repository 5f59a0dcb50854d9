#include "engine/grammar/parse_automaton.h"

#include <algorithm>
#include <utility>

namespace hearth::engine::grammar {

size_t ParseAutomaton::SetHash::operator()(const std::vector<uint32_t>& set) const {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (uint32_t id : set) hash = (hash ^ id) * 0x100000001b3ull;
  return static_cast<size_t>(hash);
}

ParseAutomaton::ParseAutomaton(std::shared_ptr<const Grammar> grammar, RecognizerLimits limits)
    : grammar_(std::move(grammar)), recognizer_(std::make_unique<Recognizer>(*grammar_, limits)) {
  reset_states();
}

Result<ParseAutomaton> ParseAutomaton::create(std::shared_ptr<const Grammar> grammar, RecognizerLimits limits) {
  if (!grammar) return make_error("no grammar given");
  ParseAutomaton automaton(std::move(grammar), limits);
  std::vector<uint32_t> stacks;
  if (Status started = automaton.recognizer_->initial(stacks); !started) return Error{started.error()};
  if (stacks.empty()) return make_error("grammar matches nothing");
  automaton.initial_state_ = automaton.intern(std::move(stacks));
  return automaton;
}

void ParseAutomaton::reset_states() {
  sets_.clear();
  set_index_.clear();
  transitions_.clear();
  intern({});  // kDead
}

uint32_t ParseAutomaton::intern(std::vector<uint32_t> set) {
  auto found = set_index_.find(set);
  if (found != set_index_.end()) return found->second;
  const auto id = static_cast<uint32_t>(sets_.size());
  set_index_.emplace(set, id);
  sets_.push_back(std::move(set));
  // The dead state's row is all dead; every other row starts unknown.
  transitions_.resize(transitions_.size() + 256, id == kDead ? kDead : kUnknown);
  return id;
}

uint32_t ParseAutomaton::step_slow(uint32_t state, uint8_t byte) {
  if (sets_.size() >= kMaxStates) {
    overflowed_ = true;
    last_error_ = "grammar parse needs more than " + std::to_string(kMaxStates) + " cached states";
    return kDead;
  }
  const std::vector<uint32_t>& from = sets_[state];  // advance() does not touch sets_
  if (Status advanced = recognizer_->advance(from, byte, scratch_); !advanced) {
    overflowed_ = true;
    last_error_ = advanced.error();
    return kDead;
  }
  const uint32_t next = intern(scratch_);
  transitions_[static_cast<size_t>(state) * 256 + byte] = next;
  return next;
}

bool ParseAutomaton::accepting(uint32_t state) const {
  const std::vector<uint32_t>& set = sets_[state];
  return !set.empty() && set.front() == Recognizer::kAccept;
}

bool ParseAutomaton::only_accepting(uint32_t state) const {
  return sets_[state].size() == 1 && accepting(state);
}

bool ParseAutomaton::needs_compaction() const {
  return sets_.size() > kCompactStates || recognizer_->stack_node_count() > kCompactStackNodes;
}

uint32_t ParseAutomaton::compact(uint32_t state) {
  std::vector<std::vector<uint32_t>> kept;
  for (uint32_t stack : sets_[state]) kept.push_back(recognizer_->positions(stack));
  const std::vector<uint32_t> initial = sets_[initial_state_];
  std::vector<std::vector<uint32_t>> initial_positions;
  for (uint32_t stack : initial) initial_positions.push_back(recognizer_->positions(stack));

  recognizer_->clear_stacks();
  reset_states();
  auto restore_set = [&](const std::vector<std::vector<uint32_t>>& stacks) {
    std::vector<uint32_t> set;
    for (const auto& positions : stacks) set.push_back(recognizer_->restore(positions));
    std::sort(set.begin(), set.end());
    return intern(std::move(set));
  };
  initial_state_ = restore_set(initial_positions);
  return restore_set(kept);
}

}  // namespace hearth::engine::grammar
