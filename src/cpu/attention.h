#pragma once
// Fused attention over a KV cache: out = softmax(mask(softcap(scale·q·kᵀ + bias))) · v per query head, for
// several sequences in one batch. The cache is a set of cells (llama.cpp's model, batching-and-caches.md §2):
// each cell holds one K row and one V row per KV head, a position and the set of sequences that own it.
// Physical cell order does not matter; the mask, computed from positions and sequences, decides everything.
#include <cstdint>

#include "cpu/ops.h"

namespace hearth::cpu {

enum class KvFormat { f32, f16 };

// Queries of one micro-batch. q [n_tokens, n_head, head_dim]; each token has a position and one sequence id
// in [0, 64).
struct AttentionQueries {
  const float* q = nullptr;
  int64_t n_tokens = 0;
  int64_t n_head = 0;
  int64_t head_dim = 0;
  const int32_t* positions = nullptr;  // [n_tokens]
  const int32_t* seq_ids = nullptr;    // [n_tokens]
};

// K and V [n_kv, n_kv_head, head_dim] of `format`: a token's K/V for every head is one contiguous row, which
// is what a cache append writes; a head reads head_dim contiguous values per cell (≥ 128 bytes), which the
// prefetchers stream like a contiguous array. Query head h reads KV head h / (n_head / n_kv_head) (GQA).
struct KvCacheView {
  KvFormat format = KvFormat::f32;
  const void* k = nullptr;
  const void* v = nullptr;
  int64_t n_kv = 0;
  int64_t n_kv_head = 0;
  const int32_t* positions = nullptr;  // [n_kv]
  const uint64_t* seq_sets = nullptr;  // [n_kv] bit s set when sequence s owns the cell; 0 = empty cell
};

// Positions [begin, end) of sequence seq_id that attend to each other regardless of order (an image's soft
// tokens, gemma4.md §7.3; a whole vision encoder input, §5.3). Window and chunk limits still apply.
struct BidirectionalRange {
  int32_t seq_id = 0;
  int32_t begin = 0;
  int32_t end = 0;
};

// A query at position p of sequence s sees a cell at position p_k when s owns the cell and
//   p_k ≤ p, or p and p_k lie in one bidirectional range of s;
//   and, with sliding_window W > 0, p − p_k < W (W keys including the query itself, gemma4.md §4.5);
//   and, with chunk_size C > 0, ⌊p / C⌋ = ⌊p_k / C⌋ (llama4.md §3.4).
// Positions are non-negative.
struct AttentionMask {
  int32_t sliding_window = 0;
  int32_t chunk_size = 0;
  const BidirectionalRange* bidirectional = nullptr;
  int64_t n_bidirectional = 0;
};

struct AttentionParams {
  float scale = 1.0f;
  float softcap = 0.0f;  // ≤ 0: none; else logits become softcap·tanh(logit / softcap) before masking
  AttentionMask mask;
  // Optional per-distance logit bias [n_tokens, n_head, n_relative], added (before the softcap) to the logit
  // of a key at distance δ = p − p_k when 0 ≤ δ < n_relative: Gemma 4 audio's q·R(δ) term (gemma4.md §6.5).
  const float* relative_bias = nullptr;
  int64_t n_relative = 0;
};

// Whether the query (position, seq_id) sees the cell (key_position, key_seqs) under `mask`.
bool attends(const AttentionMask& mask, int32_t position, int32_t seq_id, int32_t key_position, uint64_t key_seqs);

// out [n_tokens, n_head, head_dim]. Online softmax over blocks of keys (the score matrix is never
// materialised), f32 accumulation, tasks over (token block, KV head) and, when those are fewer than the
// threads (decode), over key ranges merged at the end. A query that sees no key gets zeros.
void attention(const OpContext& ctx, const AttentionQueries& queries, const KvCacheView& kv,
               const AttentionParams& params, float* out);

// The specification of attention(), built from primitives on the context's kernels: explicit score row per
// (token, head), additive −∞ mask, softmax kernel, weighted sum in double. Slow; for tests.
void attention_reference(const OpContext& ctx, const AttentionQueries& queries, const KvCacheView& kv,
                         const AttentionParams& params, float* out);

}  // namespace hearth::cpu
