// attention_reference: the specification of the fused attention op, step by step and without blocking.
#include <cmath>
#include <limits>
#include <vector>

#include "cpu/attention.h"
#include "tensor/fp16.h"

namespace hearth::cpu {
namespace {

float kv_value(const KvCacheView& kv, const void* data, int64_t index) {
  return kv.format == KvFormat::f32 ? static_cast<const float*>(data)[index]
                                    : fp16_to_f32(static_cast<const uint16_t*>(data)[index]);
}

}  // namespace

void attention_reference(const OpContext& ctx, const AttentionQueries& queries, const KvCacheView& kv,
                         const AttentionParams& params, float* out) {
  const int64_t head_dim = queries.head_dim;
  const int64_t group = queries.n_head / kv.n_kv_head;
  const float minus_infinity = -std::numeric_limits<float>::infinity();
  std::vector<float> logits(kv.n_kv), mask(kv.n_kv), probabilities(kv.n_kv);
  for (int64_t t = 0; t < queries.n_tokens; ++t) {
    const int32_t position = queries.positions[t];
    for (int64_t j = 0; j < kv.n_kv; ++j) {
      const bool visible = attends(params.mask, position, queries.seq_ids[t], kv.positions[j], kv.seq_sets[j]);
      mask[j] = visible ? 0.0f : minus_infinity;
    }
    for (int64_t h = 0; h < queries.n_head; ++h) {
      const float* q = queries.q + (t * queries.n_head + h) * head_dim;
      const int64_t kv_head = h / group;
      const float* bias = params.relative_bias != nullptr
                              ? params.relative_bias + (t * queries.n_head + h) * params.n_relative
                              : nullptr;
      for (int64_t j = 0; j < kv.n_kv; ++j) {
        const int64_t row = (j * kv.n_kv_head + kv_head) * head_dim;
        double dot = 0.0;
        for (int64_t d = 0; d < head_dim; ++d) dot += static_cast<double>(q[d]) * kv_value(kv, kv.k, row + d);
        logits[j] = params.scale * static_cast<float>(dot);
        const int64_t distance = static_cast<int64_t>(position) - kv.positions[j];
        if (bias != nullptr && distance >= 0 && distance < params.n_relative) logits[j] += bias[distance];
      }
      ctx.kernels->softmax(logits.data(), mask.data(), 1.0f, params.softcap, probabilities.data(), kv.n_kv);
      float* y = out + (t * queries.n_head + h) * head_dim;
      for (int64_t d = 0; d < head_dim; ++d) {
        double sum = 0.0;
        for (int64_t j = 0; j < kv.n_kv; ++j) {
          sum +=
              static_cast<double>(probabilities[j]) * kv_value(kv, kv.v, (j * kv.n_kv_head + kv_head) * head_dim + d);
        }
        y[d] = static_cast<float>(sum);
      }
    }
  }
}

}  // namespace hearth::cpu
