// The threaded ops of cpu/ops.h: row splitting, broadcasting, strides and the rope angle tables, checked
// on every SIMD table and thread count against the reference kernels or formulas written out here.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/ops.h"
#include "support/cpu_kernel_testing.h"

namespace hearth::cpu {
namespace {

using testing::normalized_mse;
using testing::random_floats;
using testing::reference_kernels;

// Every table (scalar too) on a 3-thread pool: more threads than this machine's cores, an odd split.
class CpuOps : public ::testing::TestWithParam<Isa> {
 protected:
  CpuOps() : pool_(3), ctx_{&pool_, kernels_for(GetParam())} {}
  ThreadPool pool_;
  OpContext ctx_;
};

std::vector<Isa> all_runnable_isas() {
  std::vector<Isa> isas = {Isa::scalar};
  for (Isa isa : testing::runnable_simd_isas()) isas.push_back(isa);
  return isas;
}

TEST_P(CpuOps, AddAndMulBroadcastOneRow) {
  const int64_t rows = 40, n = 1001;  // big enough to be split over threads
  const auto a = random_floats(rows * n, 0, -1, 1, 1);
  const auto b = random_floats(n, 0, -1, 1, 2);
  std::vector<float> y(rows * n);
  add(ctx_, a.data(), b.data(), y.data(), rows, n, true);
  for (int64_t r = 0; r < rows; r += 13) EXPECT_EQ(y[r * n + 7], a.data()[r * n + 7] + b.data()[7]);
  mul(ctx_, a.data(), b.data(), y.data(), rows, n, true);
  EXPECT_EQ(y[(rows - 1) * n + n - 1], a.data()[rows * n - 1] * b.data()[n - 1]);
}

TEST_P(CpuOps, GluOnTheHalvesOfAFusedProjection) {
  const int64_t rows = 9, n = 2049;
  const auto fused = random_floats(rows * 2 * n, 0, -4, 4, 3);
  std::vector<float> y(rows * n), want(n);
  glu(ctx_, GluOp::swiglu, fused.data(), fused.data() + n, 2 * n, y.data(), rows, n);
  for (int64_t r = 0; r < rows; ++r) {
    reference_kernels().glu_fn(GluOp::swiglu)(fused.data() + r * 2 * n, fused.data() + r * 2 * n + n, want.data(), n);
    EXPECT_LE(normalized_mse(y.data() + r * n, want.data(), n), 1e-11) << "row " << r;
  }
}

TEST_P(CpuOps, SoftmaxWithPerRowMask) {
  const int64_t rows = 20, n = 3000;
  const auto x = random_floats(rows * n, 0, -10, 10, 4);
  const auto mask = random_floats(rows * n, 0, -1, 0, 5);
  std::vector<float> y(rows * n), want(n);
  softmax(ctx_, x.data(), {0.5f, 0.0f, mask.data(), n}, y.data(), rows, n);
  for (int64_t r = 0; r < rows; ++r) {
    reference_kernels().softmax(x.data() + r * n, mask.data() + r * n, 0.5f, 0.0f, want.data(), n);
    EXPECT_LE(normalized_mse(y.data() + r * n, want.data(), n), 1e-11) << "row " << r;
    EXPECT_NEAR(std::accumulate(y.begin() + r * n, y.begin() + (r + 1) * n, 0.0), 1.0, 1e-5);
  }
}

// Rope against the formula, for both pair layouts, partial rotation and frequency factors.
TEST_P(CpuOps, RopeMatchesTheFormula) {
  const int64_t n_tokens = 5, n_heads = 3, head_dim = 40, n_rot = 24;
  const std::vector<int32_t> positions = {0, 1, 17, 500, 70000};
  const auto x = random_floats(n_tokens * n_heads * head_dim, 0, -1, 1, 6);
  std::vector<float> freq_factors(n_rot / 2);
  for (int64_t j = 0; j < n_rot / 2; ++j) freq_factors[j] = j < 8 ? 1.0f + 0.5f * j : 1e30f;
  for (RopeMode mode : {RopeMode::neox, RopeMode::adjacent}) {
    const RopeParams params{mode, n_rot, 10000.0f, 0.5f, freq_factors.data()};
    std::vector<float> y(x.data(), x.data() + n_tokens * n_heads * head_dim);
    rope(ctx_, params, y.data(), positions.data(), y.data(), n_tokens, n_heads, head_dim);  // in place
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t h = 0; h < n_heads; ++h) {
        const float* in = x.data() + (t * n_heads + h) * head_dim;
        const float* out = y.data() + (t * n_heads + h) * head_dim;
        for (int64_t j = 0; j < n_rot / 2; ++j) {
          const double theta = positions[t] * 0.5 * std::pow(10000.0, -2.0 * j / n_rot) / freq_factors[j];
          const int64_t first = mode == RopeMode::neox ? j : 2 * j;
          const int64_t second = mode == RopeMode::neox ? j + n_rot / 2 : 2 * j + 1;
          EXPECT_NEAR(out[first], in[first] * std::cos(theta) - in[second] * std::sin(theta), 2e-6);
          EXPECT_NEAR(out[second], in[first] * std::sin(theta) + in[second] * std::cos(theta), 2e-6);
        }
        for (int64_t i = n_rot; i < head_dim; ++i) EXPECT_EQ(out[i], in[i]);
      }
    }
  }
}

TEST_P(CpuOps, NormsPerRow) {
  const int64_t rows = 33, n = 1024;
  const auto x = random_floats(rows * n, 0, -3, 3, 7);
  const auto w = random_floats(n, 0, 0, 2, 8);
  std::vector<float> y(rows * n), want(n);
  rms_norm(ctx_, x.data(), w.data(), 1e-6f, y.data(), rows, n);
  reference_kernels().rms_norm(x.data() + 32 * n, w.data(), 1e-6f, want.data(), n);
  EXPECT_LE(normalized_mse(y.data() + 32 * n, want.data(), n), 1e-12);
  layer_norm(ctx_, x.data(), w.data(), nullptr, 1e-5f, y.data(), rows, n);
  reference_kernels().layer_norm(x.data() + 32 * n, w.data(), nullptr, 1e-5f, want.data(), n);
  EXPECT_LE(normalized_mse(y.data() + 32 * n, want.data(), n), 1e-12);
  l2_norm(ctx_, x.data(), 1e-6f, y.data(), rows, n);
  reference_kernels().l2_norm(x.data() + 32 * n, 1e-6f, want.data(), n);
  EXPECT_LE(normalized_mse(y.data() + 32 * n, want.data(), n), 1e-12);
}

TEST_P(CpuOps, FlatOpsCoverEveryValue) {
  const int64_t count = 100003;
  const auto x = random_floats(count, 0, -5, 5, 9);
  std::vector<float> y(count);
  unary(ctx_, UnaryOp::tanh, x.data(), y.data(), count);
  for (int64_t i : {int64_t{0}, int64_t{16}, count / 2, count - 1}) EXPECT_NEAR(y[i], std::tanh(x.data()[i]), 1e-6);
  clamp(ctx_, x.data(), -1, 1, y.data(), count);
  EXPECT_EQ(*std::max_element(y.begin(), y.end()), 1.0f);
  scale(ctx_, x.data(), 2.0f, y.data(), count);
  EXPECT_EQ(y[count - 1], 2.0f * x.data()[count - 1]);
  softcap(ctx_, x.data(), 3.0f, y.data(), count);
  EXPECT_NEAR(y[count - 1], 3.0f * std::tanh(x.data()[count - 1] / 3.0f), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(All, CpuOps, ::testing::ValuesIn(all_runnable_isas()), testing::isa_test_name);

TEST(CpuOpsTopK, LargestFirstAndTiesByIndex) {
  const std::vector<float> x = {0.5f, 3.0f, -1.0f, 3.0f, 2.0f, 7.0f, 3.0f};
  std::vector<int64_t> indices(4);
  top_k(x.data(), static_cast<int64_t>(x.size()), 4, indices.data());
  EXPECT_EQ(indices, (std::vector<int64_t>{5, 1, 3, 6}));
  std::vector<int64_t> everything(x.size());
  top_k(x.data(), static_cast<int64_t>(x.size()), static_cast<int64_t>(x.size()), everything.data());
  EXPECT_EQ(everything, (std::vector<int64_t>{5, 1, 3, 6, 4, 0, 2}));
}

TEST(CpuOpsTopK, AgreesWithFullSortOnLargeInput) {
  const int64_t n = 50000, k = 40;
  const auto x = random_floats(n, 0, -10, 10, 10);
  std::vector<int64_t> got(k), all(n);
  top_k(x.data(), n, k, got.data());
  std::iota(all.begin(), all.end(), 0);
  std::stable_sort(all.begin(), all.end(), [&](int64_t a, int64_t b) { return x.data()[a] > x.data()[b]; });
  EXPECT_EQ(got, std::vector<int64_t>(all.begin(), all.begin() + k));
  EXPECT_EQ(argmax(default_op_context(), x.data(), n), all[0]);
}

}  // namespace
}  // namespace hearth::cpu
