// The threaded linear op on quantized weights: both numerics, every path (one token, token blocks) and
// thread count against single-threaded scalar kernels, and linear_experts against a loop over tokens.
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/ops.h"
#include "cpu/weight_formats.h"
#include "support/cpu_kernel_testing.h"
#include "support/quant_linear_testing.h"

namespace hearth::cpu {
namespace {

using testing::format_name;
using testing::kQuantFormats;
using testing::normalized_mse;

constexpr double kOpBound = 1e-10;

struct Shape {
  int64_t n_tokens, n_out, n_in;
};

// The op with the scalar kernels on one thread: the reference of each numerics.
std::vector<float> reference_op(const float* x, Shape s, const WeightMatrix& w, LinearNumerics numerics) {
  ThreadPool one(1);
  std::vector<float> y(s.n_tokens * s.n_out);
  linear({&one, &testing::reference_kernels()}, x, s.n_tokens, w, y.data(), numerics);
  return y;
}

TEST(QuantLinearOp, MatchesScalarKernelsOnEveryPathAndThreadCount) {
  for (WeightFormat format : kQuantFormats) {
    // 1-4 tokens take the matrix-vector kernels, split over threads when the rows are large enough; 300
    // tokens of 1024 inputs make two token blocks of the matrix-matrix path.
    for (Shape s : {Shape{1, 100, 1024}, Shape{1, 301, 2048}, Shape{3, 130, 2048}, Shape{4, 9, 256}, Shape{5, 70, 256},
                    Shape{300, 40, 1024}}) {
      const testing::Bytes weights = testing::random_weights(format, s.n_out, s.n_in, 31);
      const testing::Floats x = testing::random_floats(s.n_tokens * s.n_in, 0, -2, 2, 32);
      const WeightMatrix w{format, weights.data(), s.n_out, s.n_in};
      for (LinearNumerics numerics : {LinearNumerics::as_stored, LinearNumerics::f32_dequant}) {
        const std::vector<float> want = reference_op(x.data(), s, w, numerics);
        for (int threads : {1, 2, 3}) {
          ThreadPool pool(threads);
          std::vector<float> got(s.n_tokens * s.n_out);
          linear({&pool, &active_kernels()}, x.data(), s.n_tokens, w, got.data(), numerics);
          EXPECT_LE(normalized_mse(got.data(), want.data(), got.size()), kOpBound)
              << format_name(format) << " threads=" << threads << " tokens=" << s.n_tokens
              << (numerics == LinearNumerics::as_stored ? " as_stored" : " f32_dequant");
        }
      }
    }
  }
}

// f32_dequant is the F32 op on the dequantized matrix; as_stored differs from it by the activation rounding.
TEST(QuantLinearOp, F32DequantIsTheF32OpOnDequantizedWeights) {
  const OpContext ctx = default_op_context();
  const Shape s{3, 20, 512};
  const testing::Floats x = testing::random_floats(s.n_tokens * s.n_in, 0, -2, 2, 33);
  for (WeightFormat format : kQuantFormats) {
    const testing::Bytes weights = testing::random_weights(format, s.n_out, s.n_in, 34);
    const int64_t row_bytes = weight_row_bytes(format, s.n_in);
    std::vector<float> dequantized(s.n_out * s.n_in);
    for (int64_t o = 0; o < s.n_out; ++o) {
      ASSERT_TRUE(dequantize_row(tensor_type_of(format), weights.data() + o * row_bytes, dequantized.data() + o * s.n_in, s.n_in).ok());
    }
    std::vector<float> want(s.n_tokens * s.n_out), dequant(want.size()), stored(want.size());
    linear(ctx, x.data(), s.n_tokens, {WeightFormat::f32, dequantized.data(), s.n_out, s.n_in}, want.data());
    const WeightMatrix w{format, weights.data(), s.n_out, s.n_in};
    linear(ctx, x.data(), s.n_tokens, w, dequant.data(), LinearNumerics::f32_dequant);
    linear(ctx, x.data(), s.n_tokens, w, stored.data(), LinearNumerics::as_stored);
    EXPECT_LE(normalized_mse(dequant.data(), want.data(), want.size()), 1e-12) << format_name(format);
    // Q8 activations carry about 8 bits: a relative error near 1e-2 per output, 1e-4 squared.
    const double activation_error = normalized_mse(stored.data(), want.data(), want.size());
    EXPECT_GT(activation_error, 0.0) << format_name(format);
    EXPECT_LE(activation_error, 1e-3) << format_name(format);
  }
}

TEST(QuantLinearOp, ExpertsMatchATokenByTokenLoop) {
  const OpContext ctx = default_op_context();
  const int64_t n_expert = 5, k = 2, n_tokens = 9, n_out = 24, n_in = 256;
  std::vector<int32_t> ids(n_tokens * k);
  std::mt19937 rng(35);
  // Experts 0-3 only, so expert 4 has no tokens; a token's two slots differ.
  for (int64_t t = 0; t < n_tokens; ++t) {
    ids[t * k] = static_cast<int32_t>(rng() % 4);
    ids[t * k + 1] = static_cast<int32_t>((ids[t * k] + 1 + rng() % 3) % 4);
  }
  const testing::Floats x = testing::random_floats(n_tokens * n_in, 0, -2, 2, 36);
  for (WeightFormat format : {WeightFormat::q4_k, WeightFormat::q8_0, WeightFormat::f32}) {
    const int64_t expert_bytes = n_out * weight_row_bytes(format, n_in);
    std::vector<uint8_t> weights;
    for (int64_t e = 0; e < n_expert; ++e) {
      if (format == WeightFormat::f32) {
        const testing::Floats values = testing::random_floats(n_out * n_in, 0, -1, 1, 37 + static_cast<uint32_t>(e));
        const auto* bytes = reinterpret_cast<const uint8_t*>(values.data());
        weights.insert(weights.end(), bytes, bytes + expert_bytes);
      } else {
        const testing::Bytes bytes = testing::random_weights(format, n_out, n_in, 37 + static_cast<uint32_t>(e));
        weights.insert(weights.end(), bytes.data(), bytes.data() + expert_bytes);
      }
    }
    const WeightMatrix experts{format, weights.data(), n_out, n_in};
    for (LinearNumerics numerics : {LinearNumerics::as_stored, LinearNumerics::f32_dequant}) {
      std::vector<float> got(n_tokens * k * n_out), want(got.size());
      linear_experts(ctx, x.data(), n_tokens, experts, n_expert, ids.data(), k, got.data(), numerics);
      for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t j = 0; j < k; ++j) {
          const WeightMatrix one{format, weights.data() + ids[t * k + j] * expert_bytes, n_out, n_in};
          linear(ctx, x.data() + t * n_in, 1, one, want.data() + (t * k + j) * n_out, numerics);
        }
      }
      EXPECT_LE(normalized_mse(got.data(), want.data(), got.size()), kOpBound) << format_name(format);
    }
  }
}

}  // namespace
}  // namespace hearth::cpu
