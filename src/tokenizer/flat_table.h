#pragma once
// Open-addressing hash table (linear probing, load factor at most 3/4) whose slots carry their whole key, so a
// lookup costs one cache miss for the slot (plus one for a string key's bytes). Loading a 262k-token
// vocabulary with 500k merges makes over a million lookups, which is why std::unordered_map's node chasing
// is avoided here.
//
// `Slot` is default-constructible as an empty slot and provides `bool used() const` and `uint32_t hash() const`.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hearth::tokenizer {

template <typename Slot>
class FlatTable {
 public:
  // Sizes the table for `count` entries so that inserting them never rehashes.
  void reserve(size_t count) {
    size_t capacity = 16;
    while (capacity * 3 < count * 4) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
  }

  // The used slot with this hash for which `matches(slot)` holds, or null.
  template <typename Matches>
  const Slot* find(uint32_t hash, Matches&& matches) const {
    if (slots_.empty()) return nullptr;
    for (size_t position = hash & mask_;; position = (position + 1) & mask_) {
      const Slot& slot = slots_[position];
      if (!slot.used()) return nullptr;
      if (slot.hash() == hash && matches(slot)) return &slot;
    }
  }

  // Adds a slot whose key is not present yet.
  void insert(const Slot& slot) {
    if ((count_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    place(slot);
    ++count_;
  }

 private:
  void place(const Slot& slot) {
    size_t position = slot.hash() & mask_;
    while (slots_[position].used()) position = (position + 1) & mask_;
    slots_[position] = slot;
  }

  void rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.used()) place(slot);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

// Mixes a 64-bit key so that its low bits, which pick the slot, depend on all of it (splitmix64's finalizer).
inline uint64_t mix_hash(uint64_t key) {
  key ^= key >> 30;
  key *= 0xBF58476D1CE4E5B9ull;
  key ^= key >> 27;
  key *= 0x94D049BB133111EBull;
  key ^= key >> 31;
  return key;
}

}  // namespace hearth::tokenizer
