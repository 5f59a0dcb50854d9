#pragma once
// Kernels of the ops that mix tokens (attention blocks, depthwise conv1d, the gated delta net step), written
// over a vector type V under the rules of simd_kernels.h: templates over V only, no standard library code.
#include <cstdint>

#include "cpu/kernels.h"
#include "cpu/simd_kernels.h"

namespace hearth::cpu::simd {

// ---------------------------------------------------------------- attention

// A tile of Rows query rows × Keys keys: each K vector loaded serves Rows FMAs and each q vector Keys FMAs,
// and Rows·Keys independent chains hide the FMA latency. Rows·Keys accumulators + Keys K vectors + one q
// vector fit the 16 AVX2 registers.
template <int Rows>
constexpr int kScoreKeys = 8 / Rows > 2 ? 8 / Rows : 2;

template <class V, int Rows, int Keys>
void score_tile(const float* const* q, const float* keys, int64_t stride, int64_t head_dim, float* scores,
                int64_t score_stride) {
  using Reg = typename V::Reg;
  Reg acc[Rows][Keys];
  for (int r = 0; r < Rows; ++r) {
    for (int j = 0; j < Keys; ++j) acc[r][j] = V::zero();
  }
  for_each_vector<V>(head_dim, [&](int64_t d, int64_t c) {
    Reg k[Keys];
    for (int j = 0; j < Keys; ++j) k[j] = load_n<V>(keys + j * stride + d, c);
    for (int r = 0; r < Rows; ++r) {
      const Reg qv = load_n<V>(q[r] + d, c);
      for (int j = 0; j < Keys; ++j) acc[r][j] = V::mul_add(qv, k[j], acc[r][j]);
    }
  });
  for (int r = 0; r < Rows; ++r) {
    for (int j = 0; j < Keys; ++j) scores[r * score_stride + j] = V::reduce_add(acc[r][j]);
  }
}

template <class V, int Rows>
void score_rows(const float* const* q, const float* keys, int64_t stride, int64_t n_keys, int64_t head_dim,
                float* scores, int64_t score_stride) {
  constexpr int kKeys = kScoreKeys<Rows>;
  int64_t j = 0;
  for (; j + kKeys <= n_keys; j += kKeys)
    score_tile<V, Rows, kKeys>(q, keys + j * stride, stride, head_dim, scores + j, score_stride);
  for (; j < n_keys; ++j) score_tile<V, Rows, 1>(q, keys + j * stride, stride, head_dim, scores + j, score_stride);
}

// Rows (≤ 4) query rows at a time; the remainder picks the matching smaller tile.
constexpr int kAttentionRows = 4;

template <class V, int Rows>
void score_row_tail(int64_t rows, const float* const* q, const float* keys, int64_t stride, int64_t n_keys,
                    int64_t head_dim, float* scores, int64_t score_stride) {
  if (rows == Rows) {
    score_rows<V, Rows>(q, keys, stride, n_keys, head_dim, scores, score_stride);
  } else if constexpr (Rows > 1) {
    score_row_tail<V, Rows - 1>(rows, q, keys, stride, n_keys, head_dim, scores, score_stride);
  }
}

template <class V>
void attention_scores(const float* const* q, int64_t n_rows, const float* keys, int64_t stride, int64_t n_keys,
                      int64_t head_dim, float* scores, int64_t score_stride) {
  for (int64_t r = 0; r < n_rows; r += kAttentionRows) {
    const int64_t rows = n_rows - r < kAttentionRows ? n_rows - r : kAttentionRows;
    score_row_tail<V, kAttentionRows>(rows, q + r, keys, stride, n_keys, head_dim, scores + r * score_stride,
                                      score_stride);
  }
}

template <class V>
float online_softmax(float* logits, int64_t n, float* running_max, float* running_sum) {
  using Reg = typename V::Reg;
  Reg block_max = V::set1(-__builtin_inff());
  for_each_vector<V>(
      n, [&](int64_t i, int64_t c) { block_max = V::max(block_max, load_or_minus_infinity<V>(logits + i, c)); });
  const float block_max_value = V::reduce_max(block_max);
  const float new_max = block_max_value > *running_max ? block_max_value : *running_max;
  if (new_max == -__builtin_inff()) {
    for_each_vector<V>(n, [&](int64_t i, int64_t c) { store_n<V>(logits + i, V::zero(), c); });
    return 1.0f;
  }
  const Reg shift = V::set1(new_max);
  Reg sum = V::zero();
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    const Reg e = exp<V>(V::sub(load_or_minus_infinity<V>(logits + i, c), shift));
    store_n<V>(logits + i, e, c);
    sum = V::add(sum, e);
  });
  const float correction = __builtin_expf(*running_max - new_max);
  *running_sum = *running_sum * correction + V::reduce_add(sum);
  *running_max = new_max;
  return correction;
}

// Head dims in slices of Vectors vectors per row, held in registers while every key of the block is added:
// each V vector loaded serves Rows FMAs, and the sums are loaded and stored once per block.
template <int Rows>
constexpr int kAccumulateVectors = Rows <= 2 ? 4 : 2;

template <class V, int Rows>
void accumulate_rows(const float* p, int64_t score_stride, const float* correction, const float* values, int64_t stride,
                     int64_t n_keys, float* acc, int64_t head_dim) {
  using Reg = typename V::Reg;
  constexpr int kVectors = kAccumulateVectors<Rows>;
  constexpr int64_t kSlice = kVectors * V::kLanes;
  int64_t d = 0;
  for (; d + kSlice <= head_dim; d += kSlice) {
    Reg sums[Rows][kVectors];
    for (int r = 0; r < Rows; ++r) {
      const Reg factor = V::set1(correction[r]);
      for (int i = 0; i < kVectors; ++i) sums[r][i] = V::mul(V::load(acc + r * head_dim + d + i * V::kLanes), factor);
    }
    for (int64_t j = 0; j < n_keys; ++j) {
      Reg v[kVectors];
      for (int i = 0; i < kVectors; ++i) v[i] = V::load(values + j * stride + d + i * V::kLanes);
      for (int r = 0; r < Rows; ++r) {
        const Reg weight = V::set1(p[r * score_stride + j]);
        for (int i = 0; i < kVectors; ++i) sums[r][i] = V::mul_add(weight, v[i], sums[r][i]);
      }
    }
    for (int r = 0; r < Rows; ++r) {
      for (int i = 0; i < kVectors; ++i) V::store(acc + r * head_dim + d + i * V::kLanes, sums[r][i]);
    }
  }
  for_each_vector<V>(head_dim - d, [&](int64_t offset, int64_t c) {
    Reg sums[Rows];
    for (int r = 0; r < Rows; ++r)
      sums[r] = V::mul(load_n<V>(acc + r * head_dim + d + offset, c), V::set1(correction[r]));
    for (int64_t j = 0; j < n_keys; ++j) {
      const Reg v = load_n<V>(values + j * stride + d + offset, c);
      for (int r = 0; r < Rows; ++r) sums[r] = V::mul_add(V::set1(p[r * score_stride + j]), v, sums[r]);
    }
    for (int r = 0; r < Rows; ++r) store_n<V>(acc + r * head_dim + d + offset, sums[r], c);
  });
}

template <class V, int Rows>
void accumulate_row_tail(int64_t rows, const float* p, int64_t score_stride, const float* correction,
                         const float* values, int64_t stride, int64_t n_keys, float* acc, int64_t head_dim) {
  if (rows == Rows) {
    accumulate_rows<V, Rows>(p, score_stride, correction, values, stride, n_keys, acc, head_dim);
  } else if constexpr (Rows > 1) {
    accumulate_row_tail<V, Rows - 1>(rows, p, score_stride, correction, values, stride, n_keys, acc, head_dim);
  }
}

template <class V>
void attention_accumulate(const float* p, int64_t score_stride, const float* correction, int64_t n_rows,
                          const float* values, int64_t stride, int64_t n_keys, float* acc, int64_t head_dim) {
  for (int64_t r = 0; r < n_rows; r += kAttentionRows) {
    const int64_t rows = n_rows - r < kAttentionRows ? n_rows - r : kAttentionRows;
    accumulate_row_tail<V, kAttentionRows>(rows, p + r * score_stride, score_stride, correction + r, values, stride,
                                           n_keys, acc + r * head_dim, head_dim);
  }
}

// ---------------------------------------------------------------- recurrent layers

// Vectorised over channels: each tap is a contiguous row, so one output vector costs `kernel` FMAs.
template <class V>
void depthwise_conv1d(const float* x, const float* taps, int64_t stride, int64_t kernel, int64_t channels,
                      int64_t n_out, float* y) {
  for (int64_t t = 0; t < n_out; ++t) {
    for_each_vector<V>(channels, [&](int64_t c, int64_t count) {
      typename V::Reg sum = V::zero();
      for (int64_t i = 0; i < kernel; ++i) {
        sum = V::mul_add(load_n<V>(taps + i * stride + c, count), load_n<V>(x + (t + i) * stride + c, count), sum);
      }
      store_n<V>(y + t * stride + c, sum, count);
    });
  }
}

// Every step of the recurrence works on one state row at a time (row i only needs δ_i, itself from row i),
// so each row is read twice and written twice while it sits in L1: decay fused with S·k, then the rank-1
// update fused with S·q.
template <class V>
void delta_net_step(float* state, const float* q, const float* k, const float* v, float beta, float decay, int64_t d_k,
                    int64_t d_v, float* out) {
  using Reg = typename V::Reg;
  const Reg decay_factor = V::set1(decay);
  for (int64_t i = 0; i < d_v; ++i) {
    float* row = state + i * d_k;
    Reg retrieved = V::zero();
    for_each_vector<V>(d_k, [&](int64_t j, int64_t c) {
      const Reg s = V::mul(load_n<V>(row + j, c), decay_factor);
      store_n<V>(row + j, s, c);
      retrieved = V::mul_add(s, load_n<V>(k + j, c), retrieved);
    });
    const Reg delta = V::set1(beta * (v[i] - V::reduce_add(retrieved)));
    Reg output = V::zero();
    for_each_vector<V>(d_k, [&](int64_t j, int64_t c) {
      const Reg s = V::mul_add(delta, load_n<V>(k + j, c), load_n<V>(row + j, c));
      store_n<V>(row + j, s, c);
      output = V::mul_add(s, load_n<V>(q + j, c), output);
    });
    out[i] = V::reduce_add(output);
  }
}

template <class V>
void install_sequence_kernels(Kernels& table) {
  table.attention_scores = attention_scores<V>;
  table.online_softmax = online_softmax<V>;
  table.attention_accumulate = attention_accumulate<V>;
  table.depthwise_conv1d = depthwise_conv1d<V>;
  table.delta_net_step = delta_net_step<V>;
}

}  // namespace hearth::cpu::simd
