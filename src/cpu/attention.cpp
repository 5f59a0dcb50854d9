// The fused attention op: the flash-attention loop over key blocks, driving the kernels' score, online
// softmax and accumulate blocks, with the mask computed here from positions and sequence sets.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cpu/attention.h"

namespace hearth::cpu {
namespace {

// Keys per block: a block of 64 keys × 256 dims (64 KiB of f32 K, as much V) stays in L2 while every query
// row of the task meets it, and the per-block work (mask, softmax bookkeeping) is amortised over 64·head_dim
// FMAs per row.
constexpr int64_t kKeyBlock = 64;
// Query rows (tokens × the heads of one KV group) per task: each K/V block read from memory serves them all.
constexpr int64_t kRowsPerTask = 16;
// Decode has fewer (token, KV head) tasks than threads, so the keys are split too, but not below this many
// per task: each split costs a partial result and a merge.
constexpr int64_t kMinKeysPerSegment = 512;

constexpr float kMinusInfinity = -std::numeric_limits<float>::infinity();

// How the work is cut into tasks: (token block, KV head, key segment), segment fastest.
struct Tiling {
  int64_t group = 1;  // query heads per KV head
  int64_t tokens_per_task = 1;
  int64_t n_token_blocks = 1;
  int64_t n_segments = 1;
  int64_t keys_per_segment = 0;  // a multiple of kKeyBlock

  int64_t n_tasks(int64_t n_kv_head) const { return n_token_blocks * n_kv_head * n_segments; }
};

Tiling make_tiling(const AttentionQueries& queries, const KvCacheView& kv, int threads) {
  Tiling tiling;
  tiling.group = queries.n_head / kv.n_kv_head;
  tiling.tokens_per_task = std::clamp<int64_t>(kRowsPerTask / tiling.group, 1, queries.n_tokens);
  tiling.n_token_blocks = (queries.n_tokens + tiling.tokens_per_task - 1) / tiling.tokens_per_task;
  // Twice the threads, so that the chunked schedule can even out tasks of unequal cost.
  const int64_t wanted_tasks = 2 * static_cast<int64_t>(threads);
  const int64_t base_tasks = tiling.n_token_blocks * kv.n_kv_head;
  const int64_t max_segments = std::max<int64_t>(1, kv.n_kv / kMinKeysPerSegment);
  const int64_t segments = std::min((wanted_tasks + base_tasks - 1) / base_tasks, max_segments);
  const int64_t keys = (kv.n_kv + segments - 1) / segments;
  tiling.keys_per_segment = std::max<int64_t>(kKeyBlock, (keys + kKeyBlock - 1) / kKeyBlock * kKeyBlock);
  // At least one segment, so that an empty cache still writes its zeros.
  tiling.n_segments = std::max<int64_t>(1, (kv.n_kv + tiling.keys_per_segment - 1) / tiling.keys_per_segment);
  return tiling;
}

// Per-thread buffers, grown on demand and kept: decode runs this op for every layer of every token.
struct Scratch {
  std::vector<uint8_t> visible;      // [tokens_per_task, kKeyBlock]
  std::vector<const float*> q_rows;  // [rows]
  std::vector<float> scores;         // [rows, kKeyBlock] logits, then softmax weights
  std::vector<float> corrections;    // [rows] this block's rescaling of acc
  std::vector<float> keys;           // [kKeyBlock, head_dim] f32 copies of an F16 block
  std::vector<float> values;         // [kKeyBlock, head_dim]
  std::vector<float> acc;            // [rows, head_dim] running weighted sums
  std::vector<float> max;            // [rows] running max logit
  std::vector<float> sum;            // [rows] running Σ e^(logit − max)
};

// A task's result when the keys are split: running max, running sum, then the head_dim weighted sums.
int64_t partial_size(int64_t head_dim) { return head_dim + 2; }

class AttentionRun {
 public:
  AttentionRun(const OpContext& ctx, const AttentionQueries& queries, const KvCacheView& kv,
               const AttentionParams& params, const Tiling& tiling, float* out, float* partials)
      : ctx_(ctx), q_(queries), kv_(kv), params_(params), tiling_(tiling), out_(out), partials_(partials) {}

  void run_task(int64_t task, Scratch& s) const {
    const int64_t segment = task % tiling_.n_segments;
    const int64_t kv_head = task / tiling_.n_segments % kv_.n_kv_head;
    const int64_t first_token = task / tiling_.n_segments / kv_.n_kv_head * tiling_.tokens_per_task;
    const int64_t n_tokens = std::min(tiling_.tokens_per_task, q_.n_tokens - first_token);
    const int64_t rows = n_tokens * tiling_.group;
    const int64_t head_dim = q_.head_dim;
    s.visible.resize(tiling_.tokens_per_task * kKeyBlock);
    s.q_rows.resize(rows);
    for (int64_t row = 0; row < rows; ++row) s.q_rows[row] = q_.q + query_row(first_token, kv_head, row) * head_dim;
    s.scores.resize(rows * kKeyBlock);
    s.corrections.resize(rows);
    s.acc.assign(rows * head_dim, 0.0f);
    s.max.assign(rows, kMinusInfinity);
    s.sum.assign(rows, 0.0f);
    const int64_t key_begin = segment * tiling_.keys_per_segment;
    const int64_t key_end = std::min(kv_.n_kv, key_begin + tiling_.keys_per_segment);
    for (int64_t block = key_begin; block < key_end; block += kKeyBlock) {
      const int64_t n_keys = std::min(kKeyBlock, key_end - block);
      if (!mark_visible(first_token, n_tokens, block, n_keys, s.visible.data())) continue;
      int64_t stride = 0;
      const float* keys = block_rows(kv_.k, block, n_keys, kv_head, s.keys, stride);
      const float* values = block_rows(kv_.v, block, n_keys, kv_head, s.values, stride);
      ctx_.kernels->attention_scores(s.q_rows.data(), rows, keys, stride, n_keys, head_dim, s.scores.data(), kKeyBlock);
      for (int64_t row = 0; row < rows; ++row) {
        float* scores = s.scores.data() + row * kKeyBlock;
        finish_logits(query_row(first_token, kv_head, row), block, n_keys,
                      s.visible.data() + (row / tiling_.group) * kKeyBlock, scores);
        s.corrections[row] = ctx_.kernels->online_softmax(scores, n_keys, &s.max[row], &s.sum[row]);
      }
      ctx_.kernels->attention_accumulate(s.scores.data(), kKeyBlock, s.corrections.data(), rows, values, stride, n_keys,
                                         s.acc.data(), head_dim);
    }
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t query = query_row(first_token, kv_head, row);
      const float* acc = s.acc.data() + row * head_dim;
      if (tiling_.n_segments == 1) {
        const float inverse = s.sum[row] > 0.0f ? 1.0f / s.sum[row] : 0.0f;
        ctx_.kernels->scale(acc, inverse, out_ + query * head_dim, head_dim);
      } else {
        float* partial = partials_ + (query * tiling_.n_segments + segment) * partial_size(head_dim);
        partial[0] = s.max[row];
        partial[1] = s.sum[row];
        std::copy(acc, acc + head_dim, partial + 2);
      }
    }
  }

  // out = Σ_s e^(m_s − M)·acc_s / Σ_s e^(m_s − M)·l_s over the key segments s, M = max_s m_s.
  void merge_partials(int64_t query) const {
    const int64_t head_dim = q_.head_dim;
    const float* first = partials_ + query * tiling_.n_segments * partial_size(head_dim);
    float overall_max = kMinusInfinity;
    for (int64_t s = 0; s < tiling_.n_segments; ++s)
      overall_max = std::max(overall_max, first[s * partial_size(head_dim)]);
    float* y = out_ + query * head_dim;
    std::fill(y, y + head_dim, 0.0f);
    if (overall_max == kMinusInfinity) return;
    float total = 0.0f;
    for (int64_t s = 0; s < tiling_.n_segments; ++s) {
      const float* partial = first + s * partial_size(head_dim);
      if (partial[0] == kMinusInfinity) continue;
      const float weight = std::exp(partial[0] - overall_max);
      total += weight * partial[1];
      for (int64_t d = 0; d < head_dim; ++d) y[d] += weight * partial[2 + d];
    }
    ctx_.kernels->scale(y, 1.0f / total, y, head_dim);
  }

 private:
  // Row `row` of a task is head row % group of the task's KV group at token first_token + row / group; its
  // index among all (token, head) query rows.
  int64_t query_row(int64_t first_token, int64_t kv_head, int64_t row) const {
    return (first_token + row / tiling_.group) * q_.n_head + kv_head * tiling_.group + row % tiling_.group;
  }

  // visible[t][j]: whether token first_token + t sees key block + j. False when no token sees any key, so
  // that the block (most blocks past the diagonal of a causal prefill) is skipped without reading it.
  bool mark_visible(int64_t first_token, int64_t n_tokens, int64_t block, int64_t n_keys, uint8_t* visible) const {
    bool any = false;
    for (int64_t t = 0; t < n_tokens; ++t) {
      const int32_t position = q_.positions[first_token + t];
      const int32_t seq_id = q_.seq_ids[first_token + t];
      for (int64_t j = 0; j < n_keys; ++j) {
        const bool sees = attends(params_.mask, position, seq_id, kv_.positions[block + j], kv_.seq_sets[block + j]);
        visible[t * kKeyBlock + j] = sees;
        any = any || sees;
      }
    }
    return any;
  }

  // The rows of one KV head for keys [block, block + n_keys) as f32: in place for an F32 cache, converted into
  // `scratch` for F16.
  const float* block_rows(const void* data, int64_t block, int64_t n_keys, int64_t kv_head, std::vector<float>& scratch,
                          int64_t& stride) const {
    const int64_t head_dim = q_.head_dim;
    const int64_t cell = kv_.n_kv_head * head_dim;
    if (kv_.format == KvFormat::f32) {
      stride = cell;
      return static_cast<const float*>(data) + block * cell + kv_head * head_dim;
    }
    stride = head_dim;
    scratch.resize(kKeyBlock * head_dim);
    const auto* halves = static_cast<const uint16_t*>(data) + block * cell + kv_head * head_dim;
    for (int64_t j = 0; j < n_keys; ++j)
      ctx_.kernels->f16_to_f32(halves + j * cell, scratch.data() + j * head_dim, head_dim);
    return scratch.data();
  }

  // scale·q·k + relative bias, softcap, then −∞ where the key is hidden.
  void finish_logits(int64_t query, int64_t block, int64_t n_keys, const uint8_t* visible, float* scores) const {
    const int32_t position = q_.positions[query / q_.n_head];
    const float* bias = params_.relative_bias != nullptr ? params_.relative_bias + query * params_.n_relative : nullptr;
    for (int64_t j = 0; j < n_keys; ++j) {
      scores[j] *= params_.scale;
      const int64_t distance = static_cast<int64_t>(position) - kv_.positions[block + j];
      if (bias != nullptr && distance >= 0 && distance < params_.n_relative) scores[j] += bias[distance];
    }
    if (params_.softcap > 0.0f) ctx_.kernels->softcap(scores, params_.softcap, scores, n_keys);
    for (int64_t j = 0; j < n_keys; ++j) {
      if (!visible[j]) scores[j] = kMinusInfinity;
    }
  }

  const OpContext& ctx_;
  const AttentionQueries& q_;
  const KvCacheView& kv_;
  const AttentionParams& params_;
  const Tiling& tiling_;
  float* out_;
  float* partials_;
};

}  // namespace

void attention(const OpContext& ctx, const AttentionQueries& queries, const KvCacheView& kv,
               const AttentionParams& params, float* out) {
  if (queries.n_tokens == 0) return;
  const Tiling tiling = make_tiling(queries, kv, ctx.pool->size());
  thread_local std::vector<float> partials;
  if (tiling.n_segments > 1) {
    partials.resize(queries.n_tokens * queries.n_head * tiling.n_segments * partial_size(queries.head_dim));
  }
  const AttentionRun run(ctx, queries, kv, params, tiling, out, partials.data());
  ctx.pool->parallel_for(
      tiling.n_tasks(kv.n_kv_head),
      [&](int64_t task, int) {
        thread_local Scratch scratch;
        run.run_task(task, scratch);
      },
      Schedule::chunked);
  if (tiling.n_segments == 1) return;
  const int64_t n_rows = queries.n_tokens * queries.n_head;
  for (int64_t query = 0; query < n_rows; ++query) run.merge_partials(query);
}

}  // namespace hearth::cpu
