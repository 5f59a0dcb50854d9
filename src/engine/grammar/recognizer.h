#pragma once
// Runs a Grammar over bytes the way llama.cpp's llama-grammar does: the parse is a set of live stacks of
// grammar positions (the top one a byte terminal, the ones below where to continue when a rule ends), and
// each byte moves every stack whose top accepts it. Stacks are persistent linked lists, hash-consed in a
// StackStore, so a stack is one id and equal stacks share it; a set of stacks is a sorted id vector.
//
// Everything is bounded (RecognizerLimits): a grammar whose parse needs more live stacks, more expansion
// work per byte or more stored stack nodes fails with an error rather than using unbounded time or memory.
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "engine/grammar/grammar.h"

namespace hearth::engine::grammar {

struct RecognizerLimits {
  size_t max_live_stacks = 1024;       // per parse state
  size_t max_expansions = 65536;       // grammar steps followed for one byte
  size_t max_stack_nodes = size_t{1} << 20;
};

class Recognizer {
 public:
  // The empty stack: the input so far is a complete sentence of the grammar.
  static constexpr uint32_t kAccept = 0;

  explicit Recognizer(const Grammar& grammar, RecognizerLimits limits = {});

  // The stacks before any input.
  Status initial(std::vector<uint32_t>& out);
  // The stacks after `byte`, from the stacks in `from` (sorted, unique); empty when no stack accepts it.
  Status advance(std::span<const uint32_t> from, uint8_t byte, std::vector<uint32_t>& out);

  // A stack's grammar positions, top first, and the reverse: the stack with those positions, re-interned.
  // Together they let a caller drop every stored node but the ones it still needs (clear_stacks between).
  std::vector<uint32_t> positions(uint32_t stack) const;
  uint32_t restore(std::span<const uint32_t> positions_top_first);
  void clear_stacks();
  size_t stack_node_count() const { return nodes_.size(); }

  const RecognizerLimits& limits() const { return limits_; }

 private:
  struct Node {
    uint32_t position;
    uint32_t parent;
  };
  struct Work {
    uint32_t position;
    uint32_t parent;
  };

  uint32_t intern(uint32_t position, uint32_t parent);
  Status expand(std::vector<uint32_t>& out);

  const Grammar* grammar_;
  RecognizerLimits limits_;
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, uint32_t> node_index_;
  std::vector<Work> work_;
  std::unordered_set<uint64_t> visited_;
};

// Whether `text` is a complete sentence of `grammar`; an error when a recognizer limit is exceeded.
Result<bool> grammar_matches(const Grammar& grammar, std::string_view text, RecognizerLimits limits = {});

}  // namespace hearth::engine::grammar
