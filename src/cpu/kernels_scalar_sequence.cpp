// The scalar reference of the attention, conv1d and delta net blocks (kernels.h); dot products accumulate in
// double, as in kernels_scalar.cpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/kernels_install.h"

namespace hearth::cpu {
namespace {

double dot(const float* a, const float* b, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

void attention_scores(const float* const* q, int64_t n_rows, const float* keys, int64_t stride, int64_t n_keys,
                      int64_t head_dim, float* scores, int64_t score_stride) {
  for (int64_t r = 0; r < n_rows; ++r) {
    for (int64_t j = 0; j < n_keys; ++j)
      scores[r * score_stride + j] = static_cast<float>(dot(q[r], keys + j * stride, head_dim));
  }
}

float online_softmax(float* logits, int64_t n, float* running_max, float* running_sum) {
  const float new_max = std::max(*running_max, *std::max_element(logits, logits + n));
  if (new_max == -std::numeric_limits<float>::infinity()) {
    std::fill(logits, logits + n, 0.0f);
    return 1.0f;
  }
  double sum = 0.0;
  for (int64_t j = 0; j < n; ++j) {
    logits[j] = std::exp(logits[j] - new_max);
    sum += logits[j];
  }
  const float correction = std::exp(*running_max - new_max);
  *running_sum = static_cast<float>(*running_sum * correction + sum);
  *running_max = new_max;
  return correction;
}

void attention_accumulate(const float* p, int64_t score_stride, const float* correction, int64_t n_rows,
                          const float* values, int64_t stride, int64_t n_keys, float* acc, int64_t head_dim) {
  for (int64_t r = 0; r < n_rows; ++r) {
    for (int64_t d = 0; d < head_dim; ++d) {
      double sum = static_cast<double>(acc[r * head_dim + d]) * correction[r];
      for (int64_t j = 0; j < n_keys; ++j) sum += static_cast<double>(p[r * score_stride + j]) * values[j * stride + d];
      acc[r * head_dim + d] = static_cast<float>(sum);
    }
  }
}

void depthwise_conv1d(const float* x, const float* taps, int64_t stride, int64_t kernel, int64_t channels,
                      int64_t n_out, float* y) {
  for (int64_t t = 0; t < n_out; ++t) {
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0.0;
      for (int64_t i = 0; i < kernel; ++i) sum += static_cast<double>(taps[i * stride + c]) * x[(t + i) * stride + c];
      y[t * stride + c] = static_cast<float>(sum);
    }
  }
}

// The five steps of qwen3next.md §8.5, literally, row by row.
void delta_net_step(float* state, const float* q, const float* k, const float* v, float beta, float decay, int64_t d_k,
                    int64_t d_v, float* out) {
  for (int64_t i = 0; i < d_v; ++i) {
    float* row = state + i * d_k;
    for (int64_t j = 0; j < d_k; ++j) row[j] *= decay;
    const auto delta = static_cast<float>(beta * (v[i] - dot(row, k, d_k)));
    for (int64_t j = 0; j < d_k; ++j) row[j] += delta * k[j];
    out[i] = static_cast<float>(dot(row, q, d_k));
  }
}

}  // namespace

void install_scalar_sequence_kernels(Kernels& table) {
  table.attention_scores = attention_scores;
  table.online_softmax = online_softmax;
  table.attention_accumulate = attention_accumulate;
  table.depthwise_conv1d = depthwise_conv1d;
  table.delta_net_step = delta_net_step;
}

}  // namespace hearth::cpu
