#include "engine/grammar/recognizer.h"

#include <algorithm>

namespace hearth::engine::grammar {
namespace {

uint64_t pair_key(uint32_t position, uint32_t parent) { return (uint64_t{position} << 32) | parent; }

}  // namespace

Recognizer::Recognizer(const Grammar& grammar, RecognizerLimits limits) : grammar_(&grammar), limits_(limits) {
  clear_stacks();
}

void Recognizer::clear_stacks() {
  nodes_.clear();
  node_index_.clear();
  nodes_.push_back({0, kAccept});  // kAccept: the bottom sentinel, never a real position
}

uint32_t Recognizer::intern(uint32_t position, uint32_t parent) {
  auto [it, inserted] = node_index_.try_emplace(pair_key(position, parent), static_cast<uint32_t>(nodes_.size()));
  if (inserted) nodes_.push_back({position, parent});
  return it->second;
}

Status Recognizer::initial(std::vector<uint32_t>& out) {
  out.clear();
  work_.clear();
  for (uint32_t start : grammar_->alternatives(grammar_->root())) work_.push_back({start, kAccept});
  return expand(out);
}

Status Recognizer::advance(std::span<const uint32_t> from, uint8_t byte, std::vector<uint32_t>& out) {
  out.clear();
  work_.clear();
  for (uint32_t stack : from) {
    if (stack == kAccept) continue;
    const Node& top = nodes_[stack];
    const Element& element = grammar_->element(top.position);
    if (grammar_->byte_set(element.value).contains(byte)) work_.push_back({top.position + 1, top.parent});
  }
  return expand(out);
}

// Follows rule references and rule ends from every work item until each stack's top is a byte terminal (or
// the stack is empty). A (position, parent) pair reached twice gives the same stacks, so it is skipped.
Status Recognizer::expand(std::vector<uint32_t>& out) {
  visited_.clear();
  size_t expansions = 0;
  while (!work_.empty()) {
    const Work item = work_.back();
    work_.pop_back();
    if (!visited_.insert(pair_key(item.position, item.parent)).second) continue;
    if (++expansions > limits_.max_expansions) {
      return make_error("grammar needs more than ", limits_.max_expansions,
                        " expansion steps for one byte (left-recursive or too ambiguous)");
    }
    const Element& element = grammar_->element(item.position);
    switch (element.kind) {
      case Element::Kind::Bytes:
        out.push_back(intern(item.position, item.parent));
        break;
      case Element::Kind::End:
        if (item.parent == kAccept) {
          out.push_back(kAccept);
        } else {
          const Node& caller = nodes_[item.parent];
          work_.push_back({caller.position, caller.parent});
        }
        break;
      case Element::Kind::Rule: {
        // A reference in tail position returns straight to our caller, so repetition does not deepen stacks.
        const uint32_t next = item.position + 1;
        const uint32_t parent =
            grammar_->element(next).kind == Element::Kind::End ? item.parent : intern(next, item.parent);
        for (uint32_t start : grammar_->alternatives(element.value)) work_.push_back({start, parent});
        break;
      }
    }
    if (nodes_.size() > limits_.max_stack_nodes) {
      return make_error("grammar parse needs more than ", limits_.max_stack_nodes, " stack nodes");
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > limits_.max_live_stacks) {
    return make_error("grammar parse has more than ", limits_.max_live_stacks, " live positions");
  }
  return Status::success();
}

std::vector<uint32_t> Recognizer::positions(uint32_t stack) const {
  std::vector<uint32_t> result;
  for (uint32_t node = stack; node != kAccept; node = nodes_[node].parent) result.push_back(nodes_[node].position);
  return result;
}

uint32_t Recognizer::restore(std::span<const uint32_t> positions_top_first) {
  uint32_t stack = kAccept;
  for (auto it = positions_top_first.rbegin(); it != positions_top_first.rend(); ++it) stack = intern(*it, stack);
  return stack;
}

Result<bool> grammar_matches(const Grammar& grammar, std::string_view text, RecognizerLimits limits) {
  Recognizer recognizer(grammar, limits);
  std::vector<uint32_t> stacks;
  std::vector<uint32_t> next;
  if (Status started = recognizer.initial(stacks); !started) return Error{started.error()};
  for (char c : text) {
    if (Status advanced = recognizer.advance(stacks, static_cast<uint8_t>(c), next); !advanced) {
      return Error{advanced.error()};
    }
    if (next.empty()) return false;
    stacks.swap(next);
  }
  return !stacks.empty() && stacks.front() == Recognizer::kAccept;
}

}  // namespace hearth::engine::grammar
