// linear_experts (ops.h): tokens grouped by routed expert, then one linear call per expert that has any.
#include <algorithm>
#include <vector>

#include "cpu/ops.h"
#include "cpu/weight_formats.h"

namespace hearth::cpu {

void linear_experts(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& experts, int64_t n_expert,
                    const int32_t* expert_ids, int64_t k, float* y, LinearNumerics numerics) {
  const int64_t n_in = experts.n_in;
  const int64_t n_out = experts.n_out;
  const int64_t n_slots = n_tokens * k;
  // Counting sort of the (token, slot) pairs by expert: slots_by_expert[begin[e] .. begin[e + 1]).
  std::vector<int64_t> begin(n_expert + 1, 0);
  for (int64_t i = 0; i < n_slots; ++i) ++begin[expert_ids[i] + 1];
  for (int64_t e = 0; e < n_expert; ++e) begin[e + 1] += begin[e];
  std::vector<int64_t> slots_by_expert(n_slots);
  std::vector<int64_t> filled(begin.begin(), begin.end() - 1);
  for (int64_t i = 0; i < n_slots; ++i) slots_by_expert[filled[expert_ids[i]]++] = i;

  const int64_t expert_bytes = n_out * weight_row_bytes(experts.format, n_in);
  thread_local std::vector<float> gathered, results;
  for (int64_t e = 0; e < n_expert; ++e) {
    const int64_t count = begin[e + 1] - begin[e];
    if (count == 0) continue;
    // The expert's token rows are copied together so the linear kernels see one contiguous batch.
    gathered.resize(count * n_in);
    results.resize(count * n_out);
    for (int64_t i = 0; i < count; ++i) {
      const float* row = x + slots_by_expert[begin[e] + i] / k * n_in;
      std::copy(row, row + n_in, gathered.begin() + i * n_in);
    }
    const WeightMatrix expert{experts.format, static_cast<const uint8_t*>(experts.data) + e * expert_bytes, n_out, n_in};
    linear(ctx, gathered.data(), count, expert, results.data(), numerics);
    for (int64_t i = 0; i < count; ++i) {
      std::copy(results.begin() + i * n_out, results.begin() + (i + 1) * n_out, y + slots_by_expert[begin[e] + i] * n_out);
    }
  }
}

}  // namespace hearth::cpu
