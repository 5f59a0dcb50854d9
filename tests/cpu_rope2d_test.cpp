// cpu::rope_2d against the formula of gemma4.md §5.4 written out in double, on every SIMD table.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/ops.h"
#include "support/cpu_kernel_testing.h"

namespace hearth::cpu {
namespace {

class CpuRope2d : public ::testing::TestWithParam<Isa> {
 protected:
  CpuRope2d() : pool_(3), ctx_{&pool_, kernels_for(GetParam())} {}
  ThreadPool pool_;
  OpContext ctx_;
};

std::vector<Isa> all_runnable_isas() {
  std::vector<Isa> isas = {Isa::scalar};
  for (Isa isa : testing::runnable_simd_isas()) isas.push_back(isa);
  return isas;
}

// One half of a head rotated NeoX-style by `position`: n_rot values of the half turned, the rest copied.
void expect_half_rotated(const float* in, const float* out, int64_t half, int64_t n_rot, int32_t position, double base) {
  for (int64_t j = 0; j < n_rot / 2; ++j) {
    const double theta = position * std::pow(base, -2.0 * static_cast<double>(j) / static_cast<double>(n_rot));
    const double a = in[j], b = in[j + n_rot / 2];
    EXPECT_NEAR(out[j], a * std::cos(theta) - b * std::sin(theta), 2e-6);
    EXPECT_NEAR(out[j + n_rot / 2], a * std::sin(theta) + b * std::cos(theta), 2e-6);
  }
  for (int64_t i = n_rot; i < half; ++i) EXPECT_EQ(out[i], in[i]);
}

TEST_P(CpuRope2d, HalvesTurnByTheirOwnPositions) {
  const int64_t n_tokens = 7, n_heads = 3, head_dim = 36;
  const int64_t half = head_dim / 2;
  for (const int64_t n_rot : {half, int64_t{8}}) {
    const auto x = testing::random_floats(n_tokens * n_heads * head_dim, 1, -2, 2, 41);
    std::vector<int32_t> columns(n_tokens), rows(n_tokens);
    for (int64_t t = 0; t < n_tokens; ++t) {
      columns[t] = static_cast<int32_t>(t % 3 + 5 * t);
      rows[t] = static_cast<int32_t>(t / 3);
    }
    const RopeParams params{RopeMode::neox, n_rot, 100.0f, 1.0f, nullptr};
    std::vector<float> y(n_tokens * n_heads * head_dim);
    rope_2d(ctx_, params, x.data(), columns.data(), rows.data(), y.data(), n_tokens, n_heads, head_dim);
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t h = 0; h < n_heads; ++h) {
        const int64_t offset = (t * n_heads + h) * head_dim;
        expect_half_rotated(x.data() + offset, y.data() + offset, half, n_rot, columns[t], 100.0);
        expect_half_rotated(x.data() + offset + half, y.data() + offset + half, half, n_rot, rows[t], 100.0);
      }
    }
    // In place gives the same values.
    std::vector<float> in_place(x.data(), x.data() + y.size());
    rope_2d(ctx_, params, in_place.data(), columns.data(), rows.data(), in_place.data(), n_tokens, n_heads, head_dim);
    EXPECT_EQ(in_place, y);
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, CpuRope2d, ::testing::ValuesIn(all_runnable_isas()), testing::isa_test_name);

}  // namespace
}  // namespace hearth::cpu
