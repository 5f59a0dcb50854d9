#include "cache/kv_cache.h"

#include <algorithm>
#include <cstring>

#include "tensor/fp16.h"

namespace hearth::cache {
namespace {

constexpr int64_t kMaxSequences = 64;  // the width of a cell's sequence set

int64_t element_bytes(cpu::KvFormat format) { return format == cpu::KvFormat::f32 ? 4 : 2; }

void write_row(cpu::KvFormat format, const float* values, int64_t n, uint8_t* dst) {
  if (format == cpu::KvFormat::f32) {
    std::memcpy(dst, values, n * sizeof(float));
    return;
  }
  auto* halves = reinterpret_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) halves[i] = f32_to_fp16(values[i]);
}

}  // namespace

int64_t slot_cells(const KvSlotSpec& spec, const KvCacheOptions& options) {
  if (spec.sliding_window <= 0) return options.n_ctx;
  return std::min(options.n_ctx, spec.sliding_window * options.n_seq_max + options.n_ubatch);
}

uint64_t kv_cache_bytes(std::span<const KvSlotSpec> slots, const KvCacheOptions& options) {
  uint64_t bytes = 0;
  for (const KvSlotSpec& spec : slots) {
    bytes += 2ull * slot_cells(spec, options) * spec.n_kv_head * spec.head_dim * element_bytes(options.format);
  }
  return bytes;
}

KvCache::KvCache(std::vector<KvSlotSpec> slots, const KvCacheOptions& options)
    : options_(options), seq_pos_max_(std::clamp<int64_t>(options.n_seq_max, 1, kMaxSequences), -1) {
  options_.n_seq_max = static_cast<int64_t>(seq_pos_max_.size());
  for (const KvSlotSpec& spec : slots) {
    Slot slot;
    slot.spec = spec;
    slot.n_cells = slot_cells(spec, options_);
    slot.positions.assign(slot.n_cells, 0);
    slot.seq_sets.assign(slot.n_cells, 0);
    const int64_t bytes = slot.n_cells * row_bytes(slot);
    slot.k.resize(bytes);
    slot.v.resize(bytes);
    slots_.push_back(std::move(slot));
  }
}

int64_t KvCache::row_bytes(const Slot& slot) const {
  return slot.spec.n_kv_head * slot.spec.head_dim * element_bytes(options_.format);
}

// A sliding slot's cell is dead once every owner's next position is W or more past it; positions of a
// sequence only grow, so no later query of it can see the cell again.
bool KvCache::reusable(const Slot& slot, int64_t cell) const {
  const uint64_t owners = slot.seq_sets[cell];
  if (owners == 0) return true;
  if (slot.spec.sliding_window <= 0) return false;
  for (int64_t seq = 0; seq < options_.n_seq_max; ++seq) {
    if ((owners >> seq & 1) && seq_pos_max_[seq] + 1 - slot.positions[cell] < slot.spec.sliding_window) return false;
  }
  return true;
}

Status KvCache::begin_ubatch(std::span<const int32_t> seq_ids, std::span<const int32_t> positions) {
  for (size_t t = 0; t < seq_ids.size(); ++t) {
    if (seq_ids[t] < 0 || seq_ids[t] >= options_.n_seq_max) {
      return make_error("sequence id ", seq_ids[t], " is outside [0, ", options_.n_seq_max, ")");
    }
    if (positions[t] < 0) return make_error("negative position ", positions[t]);
  }
  // Find every cell first and commit only when all slots have room.
  std::vector<std::vector<int64_t>> chosen(slots_.size());
  for (size_t s = 0; s < slots_.size(); ++s) {
    const Slot& slot = slots_[s];
    std::vector<bool> taken(slot.n_cells, false);
    int64_t cursor = slot.search_from;
    for (size_t t = 0; t < seq_ids.size(); ++t) {
      int64_t scanned = 0;
      while (scanned < slot.n_cells && (taken[cursor] || !reusable(slot, cursor))) {
        cursor = (cursor + 1) % slot.n_cells;
        ++scanned;
      }
      if (scanned == slot.n_cells) {
        return make_error("KV cache full: a layer with ", slot.n_cells, " cells has no room for ", seq_ids.size(),
                          " more tokens (raise the context size)");
      }
      taken[cursor] = true;
      chosen[s].push_back(cursor);
    }
  }
  for (size_t s = 0; s < slots_.size(); ++s) {
    Slot& slot = slots_[s];
    for (size_t t = 0; t < seq_ids.size(); ++t) {
      const int64_t cell = chosen[s][t];
      slot.positions[cell] = positions[t];
      slot.seq_sets[cell] = uint64_t{1} << seq_ids[t];
      slot.used_extent = std::max(slot.used_extent, cell + 1);
    }
    if (!chosen[s].empty()) slot.search_from = (chosen[s].back() + 1) % slot.n_cells;
    slot.ubatch_cells = std::move(chosen[s]);
  }
  for (size_t t = 0; t < seq_ids.size(); ++t) {
    seq_pos_max_[seq_ids[t]] = std::max(seq_pos_max_[seq_ids[t]], positions[t]);
  }
  return Status::success();
}

void KvCache::store(int64_t slot_index, const float* k, const float* v) {
  Slot& slot = slots_[slot_index];
  const int64_t values = slot.spec.n_kv_head * slot.spec.head_dim;
  const int64_t bytes = row_bytes(slot);
  for (size_t t = 0; t < slot.ubatch_cells.size(); ++t) {
    const int64_t cell = slot.ubatch_cells[t];
    write_row(options_.format, k + t * values, values, slot.k.data() + cell * bytes);
    write_row(options_.format, v + t * values, values, slot.v.data() + cell * bytes);
  }
}

cpu::KvCacheView KvCache::view(int64_t slot_index) const {
  const Slot& slot = slots_[slot_index];
  return {options_.format, slot.k.data(), slot.v.data(), slot.used_extent, slot.spec.n_kv_head,
          slot.positions.data(), slot.seq_sets.data()};
}

void KvCache::remove_sequence(int32_t seq_id) {
  if (seq_id < 0 || seq_id >= options_.n_seq_max) return;
  for (Slot& slot : slots_) {
    for (uint64_t& owners : slot.seq_sets) owners &= ~(uint64_t{1} << seq_id);
  }
  seq_pos_max_[seq_id] = -1;
}

void KvCache::truncate_sequence(int32_t seq_id, int32_t from) {
  if (seq_id < 0 || seq_id >= options_.n_seq_max) return;
  const uint64_t bit = uint64_t{1} << seq_id;
  int32_t highest = -1;
  for (Slot& slot : slots_) {
    for (int64_t cell = 0; cell < slot.n_cells; ++cell) {
      if (!(slot.seq_sets[cell] & bit)) continue;
      if (slot.positions[cell] >= from) {
        slot.seq_sets[cell] &= ~bit;
      } else {
        highest = std::max(highest, slot.positions[cell]);
      }
    }
  }
  seq_pos_max_[seq_id] = highest;
}

bool KvCache::can_continue_at(int32_t seq_id, int32_t next) const {
  if (seq_id < 0 || seq_id >= options_.n_seq_max || next < 0) return false;
  const uint64_t bit = uint64_t{1} << seq_id;
  for (const Slot& slot : slots_) {
    const int32_t first_needed = slot.spec.sliding_window > 0 ? std::max(0, next - slot.spec.sliding_window + 1) : 0;
    // Positions first_needed .. next−1 must all be present, each once.
    int64_t present = 0;
    for (int64_t cell = 0; cell < slot.n_cells; ++cell) {
      const int32_t pos = slot.positions[cell];
      if ((slot.seq_sets[cell] & bit) && pos >= first_needed && pos < next) ++present;
    }
    if (present != next - first_needed) return false;
  }
  return true;
}

int32_t KvCache::last_position(int32_t seq_id) const {
  if (seq_id < 0 || seq_id >= options_.n_seq_max) return -1;
  return seq_pos_max_[seq_id];
}

}  // namespace hearth::cache
