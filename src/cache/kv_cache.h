#pragma once
// Per-layer KV cache in llama.cpp's cell model (spec/batching-and-caches.md §2): each cached layer ("slot")
// is a pool of cells holding one K row and one V row per token, with the token's position and the set of
// sequences owning it; the attention mask, computed from that metadata, decides visibility. Several
// sequences share the pools.
//
// Sliding-window slots hold only window·n_seq_max + n_ubatch cells (§3): a cell becomes reusable once the
// position after its sequence's last one no longer sees it, and free cells are searched round-robin from
// the last one taken, so the pool turns like a ring. Layers that read another layer's KV (Gemma 4 shared
// layers, §5) have no slot; the model maps them to their donor's slot.
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "cpu/attention.h"

namespace hearth::cache {

struct KvSlotSpec {
  int64_t n_kv_head = 0;
  int64_t head_dim = 0;
  int32_t sliding_window = 0;  // W > 0: only the last W positions of a sequence are ever read
};

struct KvCacheOptions {
  cpu::KvFormat format = cpu::KvFormat::f16;
  int64_t n_ctx = 4096;     // cells of a full-attention slot, shared by all sequences (llama.cpp's n_ctx)
  int64_t n_seq_max = 1;    // sequence ids are in [0, n_seq_max), at most 64
  int64_t n_ubatch = 512;   // most tokens stored by one micro-batch
};

// Cells a slot gets: n_ctx, or for a sliding slot what its windows and one micro-batch can need.
int64_t slot_cells(const KvSlotSpec& spec, const KvCacheOptions& options);
// Bytes of K and V storage for these slots (what `hearth show` reports for a context size).
uint64_t kv_cache_bytes(std::span<const KvSlotSpec> slots, const KvCacheOptions& options);

class KvCache {
 public:
  KvCache(std::vector<KvSlotSpec> slots, const KvCacheOptions& options);

  // Takes one cell per token of the next micro-batch in every slot, before any of it is written, so a
  // token never evicts a key another token of the same micro-batch still needs. Fails (changing nothing)
  // when a slot has no room or an id is out of range.
  Status begin_ubatch(std::span<const int32_t> seq_ids, std::span<const int32_t> positions);
  // Writes the micro-batch's K and V rows, each [n_tokens, n_kv_head, head_dim] f32, into `slot`.
  void store(int64_t slot, const float* k, const float* v);
  cpu::KvCacheView view(int64_t slot) const;

  void remove_sequence(int32_t seq_id);
  // Forgets the sequence's cells at positions >= from (prefix reuse keeps what comes before).
  void truncate_sequence(int32_t seq_id, int32_t from);
  // Whether the sequence can continue at position `next` with every key it would attend still stored: a
  // sliding slot may already have overwritten cells the new position needs (spec/batching-and-caches.md §3).
  bool can_continue_at(int32_t seq_id, int32_t next) const;
  // Highest stored position of the sequence, −1 when it has none.
  int32_t last_position(int32_t seq_id) const;
  int64_t n_seq_max() const { return options_.n_seq_max; }

 private:
  struct Slot {
    KvSlotSpec spec;
    int64_t n_cells = 0;
    std::vector<uint8_t> k, v;        // [n_cells, n_kv_head, head_dim] of options_.format
    std::vector<int32_t> positions;  // [n_cells]
    std::vector<uint64_t> seq_sets;  // [n_cells], 0 = empty
    int64_t search_from = 0;         // round-robin start of the free-cell search
    int64_t used_extent = 0;         // cells past this index are empty: attention need not scan them
    std::vector<int64_t> ubatch_cells;  // the current micro-batch's cell per token
  };

  bool reusable(const Slot& slot, int64_t cell) const;
  int64_t row_bytes(const Slot& slot) const;

  KvCacheOptions options_;
  std::vector<Slot> slots_;
  std::vector<int32_t> seq_pos_max_;  // per sequence, −1 = empty
};

}  // namespace hearth::cache
