#include "tokenizer/bpe_model.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>

#include "tokenizer/utf8.h"

namespace hearth::tokenizer {
namespace {

constexpr uint32_t kTwoByteLimit = 0x800;

uint32_t hash_text(std::string_view text) { return static_cast<uint32_t>(std::hash<std::string_view>{}(text)); }

uint32_t hash_pair(int32_t left, int32_t right) {
  return static_cast<uint32_t>(
      mix_hash((static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right)));
}

// Lowest rank first; among equal ranks the leftmost pair (llm_bigram_bpe::comparator).
bool lower_priority(const BpeModel::Scratch::Candidate& a, const BpeModel::Scratch::Candidate& b) {
  return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
}

std::string hex_byte_token(uint8_t byte) {
  char text[8];
  std::snprintf(text, sizeof text, "<0x%02X>", byte);
  return text;
}

}  // namespace

uint32_t BpeModel::MergeSlot::hash() const { return hash_pair(left, right); }

Result<BpeModel> BpeModel::create(const std::vector<std::string>& tokens, const std::vector<std::string>& merges,
                                  ByteFallback byte_fallback) {
  // Spans address the arena with 32-bit offsets; the arena holds at most the tokens and two copies of each merge.
  uint64_t arena_bound = 0;
  for (const std::string& token : tokens) arena_bound += token.size();
  const uint64_t token_bytes = arena_bound;
  for (const std::string& merge : merges) arena_bound += 2 * merge.size();
  if (arena_bound > std::numeric_limits<uint32_t>::max()) {
    return make_error("vocabulary text is too large (", arena_bound, " bytes of tokens and merges)");
  }

  BpeModel model;
  model.token_count_ = tokens.size();
  model.arena_.reserve(token_bytes);
  model.spans_.reserve(tokens.size());
  model.text_table_.reserve(tokens.size() + tokens.size() / 8);
  for (size_t id = 0; id < tokens.size(); ++id) {
    bool added = false;
    if (const int32_t earlier = model.intern(tokens[id], &added); !added) {
      return make_error("duplicate token text '", tokens[id], "' at ids ", earlier, " and ", id);
    }
  }

  model.merge_table_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const std::string_view merge = merges[rank];
    // llama.cpp splits at the first space after the first byte, so a part may itself start with a space.
    const size_t space = merge.find(' ', 1);
    if (space == std::string_view::npos) {
      return make_error("merge ", rank, " ('", merge, "') has no space separating its two parts");
    }
    const std::string_view left = merge.substr(0, space);
    const std::string_view right = merge.substr(space + 1);
    const int32_t left_id = model.intern(left);
    const int32_t right_id = model.intern(right);
    // A repeated pair keeps its first (lowest) rank.
    if (model.find_merge(left_id, right_id)) continue;
    joined.assign(left).append(right);
    model.merge_table_.insert({left_id, right_id, static_cast<uint32_t>(rank), model.intern(joined)});
  }

  model.two_byte_ids_.resize(kTwoByteLimit);
  std::string character;
  for (uint32_t code_point = 0; code_point < kTwoByteLimit; ++code_point) {
    character.clear();
    utf8::append(character, code_point);
    model.two_byte_ids_[code_point] = model.find_string(character);
  }
  for (uint32_t byte = 0; byte < 256; ++byte) {
    const std::string text = byte_fallback == ByteFallback::HexByteToken ? hex_byte_token(static_cast<uint8_t>(byte))
                                                                         : std::string(1, static_cast<char>(byte));
    model.byte_tokens_[byte] = model.find_token(text);
  }
  return model;
}

bool BpeModel::slot_holds(const TextSlot& slot, std::string_view text) const {
  if (slot.span.length != text.size()) return false;
  const size_t head = std::min(text.size(), TextSlot::kHeadBytes);
  if (std::memcmp(slot.head, text.data(), head) != 0) return false;
  return head == text.size() || text_at(slot.span).substr(head) == text.substr(head);
}

int32_t BpeModel::find_string(std::string_view text) const {
  const TextSlot* slot =
      text_table_.find(hash_text(text), [&](const TextSlot& candidate) { return slot_holds(candidate, text); });
  return slot ? slot->id : -1;
}

TokenId BpeModel::find_token(std::string_view text) const {
  const int32_t id = find_string(text);
  return id >= 0 && static_cast<size_t>(id) < token_count_ ? id : kNoToken;
}

// Tokens are interned in id order; any later string is an extra one that only merges refer to.
int32_t BpeModel::intern(std::string_view text, bool* added) {
  const uint32_t hash = hash_text(text);
  const TextSlot* existing =
      text_table_.find(hash, [&](const TextSlot& candidate) { return slot_holds(candidate, text); });
  if (added) *added = !existing;
  if (existing) return existing->id;

  TextSlot slot;
  slot.text_hash = hash;
  slot.id = static_cast<int32_t>(spans_.size());
  slot.span = {static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(text.size())};
  std::memcpy(slot.head, text.data(), std::min(text.size(), TextSlot::kHeadBytes));
  arena_.append(text);
  spans_.push_back(slot.span);
  text_table_.insert(slot);
  return slot.id;
}

int32_t BpeModel::character_id(std::string_view character) const {
  const auto lead = static_cast<uint8_t>(character[0]);
  if (character.size() == 1 && lead < 0x80) return two_byte_ids_[lead];
  if (character.size() == 2 && lead >= 0xC2 && lead <= 0xDF) {
    const auto trail = static_cast<uint8_t>(character[1]);
    if ((trail & 0xC0) == 0x80) return two_byte_ids_[((lead & 0x1Fu) << 6) | (trail & 0x3Fu)];
  }
  return find_string(character);
}

const BpeModel::MergeSlot* BpeModel::find_merge(int32_t left, int32_t right) const {
  if (left < 0 || right < 0) return nullptr;
  return merge_table_.find(hash_pair(left, right), [&](const MergeSlot& slot) {
    return slot.left == left && slot.right == right;
  });
}

void BpeModel::queue_pair(int32_t left, int32_t right, Scratch& scratch) const {
  if (left < 0 || right < 0) return;
  const Scratch::Symbol& left_symbol = scratch.symbols[static_cast<size_t>(left)];
  const Scratch::Symbol& right_symbol = scratch.symbols[static_cast<size_t>(right)];
  const MergeSlot* merge = find_merge(left_symbol.id, right_symbol.id);
  if (!merge) return;
  scratch.queue.push_back({merge->rank, left, right, left_symbol.length + right_symbol.length, merge->result});
  std::push_heap(scratch.queue.begin(), scratch.queue.end(), lower_priority);
}

void BpeModel::encode_word(std::string_view word, bool whole_word_if_token, std::vector<TokenId>& out,
                           Scratch& scratch) const {
  if (whole_word_if_token) {
    if (const TokenId id = find_token(word); id != kNoToken) {
      out.push_back(id);
      return;
    }
  }

  auto& symbols = scratch.symbols;
  symbols.clear();
  for (size_t offset = 0; offset < word.size();) {
    const size_t length = std::min(word.size() - offset, utf8::sequence_length(static_cast<uint8_t>(word[offset])));
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({character_id(word.substr(offset, length)), static_cast<uint32_t>(offset),
                       static_cast<uint32_t>(length), index - 1, index + 1});
    offset += length;
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;

  scratch.queue.clear();
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) queue_pair(i - 1, i, scratch);

  while (!scratch.queue.empty()) {
    std::pop_heap(scratch.queue.begin(), scratch.queue.end(), lower_priority);
    const Scratch::Candidate candidate = scratch.queue.back();
    scratch.queue.pop_back();
    Scratch::Symbol& left = symbols[static_cast<size_t>(candidate.left)];
    Scratch::Symbol& right = symbols[static_cast<size_t>(candidate.right)];
    if (left.length == 0 || right.length == 0 || left.length + right.length != candidate.length) continue;

    left.length += right.length;
    left.id = candidate.result;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = candidate.left;
    queue_pair(left.prev, candidate.left, scratch);
    queue_pair(candidate.left, left.next, scratch);
  }

  for (const Scratch::Symbol& symbol : symbols) {
    if (symbol.length == 0) continue;
    if (symbol.id >= 0 && static_cast<size_t>(symbol.id) < token_count_) {
      out.push_back(symbol.id);
      continue;
    }
    for (char byte : word.substr(symbol.start, symbol.length)) {
      const TokenId fallback = byte_tokens_[static_cast<uint8_t>(byte)];
      if (fallback != kNoToken) out.push_back(fallback);
    }
  }
}

}  // namespace hearth::tokenizer
