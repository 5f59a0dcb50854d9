#pragma once
// The gated delta net recurrence of Qwen3-Next / Qwen3.5 linear-attention layers (qwen3next.md §8.5, §8.6),
// per value head h with state S [d_v, d_k] (row per value index, llama.cpp's layout), for t = 0 … n−1:
//   S ← e^(g_t)·S;  δ = β_t·(v_t − S·k_t);  S ← S + δ·k_tᵀ;  o_t = S·q_t.
// The op takes the inputs after conv, SiLU, L2 normalisation and the 1/√d_k query scale, and the gates after
// their activations: β ∈ (0, 1), g ≤ 0 (log-decay).
#include <cstdint>

#include "cpu/ops.h"

namespace hearth::cpu {

// Which key head value head h reads (qwen3next.md §8.4): grouped h / (n_v_heads / n_k_heads) for HF-ordered
// V heads (qwen3next), tiled h mod n_k_heads for reordered ones (qwen35, qwen35moe).
enum class KeyHeadMapping { grouped, tiled };

// n_seqs sequences of n_tokens tokens each (llama.cpp's split_equal micro-batches), token rows sequence-major.
struct DeltaNetShape {
  int64_t n_seqs = 1;
  int64_t n_tokens = 0;
  int64_t n_k_heads = 0;
  int64_t n_v_heads = 0;
  int64_t d_k = 0;
  int64_t d_v = 0;
  KeyHeadMapping mapping = KeyHeadMapping::grouped;
};

// Row r (r = seq·n_tokens + t) of q and k holds n_k_heads·d_k values, of v n_v_heads·d_v; rows are *_stride
// floats apart, so they can be views into the conv output [q | k | v].
struct DeltaNetInputs {
  const float* q = nullptr;
  int64_t q_stride = 0;
  const float* k = nullptr;
  int64_t k_stride = 0;
  const float* v = nullptr;
  int64_t v_stride = 0;
  const float* beta = nullptr;  // [rows, n_v_heads]
  const float* g = nullptr;     // [rows, n_v_heads]
};

enum class DeltaNetForm {
  recurrent,  // the steps above, token by token (decode, and llama.cpp's path for one token)
  chunked,    // the chunked parallel form of §8.6 with chunks of 64 tokens (llama.cpp's prefill path)
};

// state [n_seqs, n_v_heads, d_v, d_k], f32, updated in place; out [rows, n_v_heads, d_v]. Tasks are
// (sequence, value head). Both forms compute the same function, up to rounding.
void gated_delta_net(const OpContext& ctx, const DeltaNetShape& shape, const DeltaNetInputs& inputs, DeltaNetForm form,
                     float* state, float* out);

}  // namespace hearth::cpu
