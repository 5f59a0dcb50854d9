// The quantized linear kernels of every kernel table (scalar included) against Σ dequantize(w)·dequantize(x)
// in double, for every quantized weight format on odd sizes, and the SIMD activation quantizers against the
// scalar ones (bit-exact: they decide llama.cpp's numerics).
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/kernels.h"
#include "cpu/weight_formats.h"
#include "support/cpu_kernel_testing.h"
#include "support/quant_linear_testing.h"

namespace hearth::cpu {
namespace {

using testing::ActivationStorage;
using testing::format_name;
using testing::kQuantFormats;
using testing::normalized_mse;

// The kernels differ from the reference only by float rounding: f32 block scales and accumulators against
// double, on sums whose terms partly cancel (the min terms of Q2_K / Q4_K / Q5_K).
constexpr double kKernelBound = 1e-10;
// The matrix-vector kernels against the panel kernels of the same table: float summation order only (the
// min terms of Q4_1 / Q5_1 cancel most, up to 4e-12 seen).
constexpr double kPanelPathBound = 1e-11;

std::vector<Isa> every_isa() {
  std::vector<Isa> isas = {Isa::scalar};
  for (Isa isa : testing::runnable_simd_isas()) isas.push_back(isa);
  return isas;
}

struct Shape {
  int64_t n_tokens, n_out, n_in;
};

class QuantLinearKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const Kernels& table() const { return *kernels_for(GetParam()); }

  void check(WeightFormat format, Shape s) {
    SCOPED_TRACE(format_name(format) + " tokens=" + std::to_string(s.n_tokens) + " out=" + std::to_string(s.n_out) +
                 " in=" + std::to_string(s.n_in));
    const ActivationFormat activation = activation_format_of(format);
    const testing::Bytes weights = testing::random_weights(format, s.n_out, s.n_in, 21);
    const testing::Floats x = testing::random_floats(s.n_tokens * s.n_in, 1, -3, 3, 22);
    ActivationStorage quantized(s.n_tokens, s.n_in);
    table().quantize_fn(activation)(x.data(), s.n_in, s.n_tokens, quantized.view, 0);
    std::vector<std::vector<float>> x_values;
    for (int64_t t = 0; t < s.n_tokens; ++t) x_values.push_back(testing::dequantized_activation(quantized.view, activation, t));
    std::vector<float> want = testing::reference_linear(format, weights.data(), s.n_out, x_values, s.n_in);
    if (activation == ActivationFormat::q8_1) {
      const int64_t row_bytes = weight_row_bytes(format, s.n_in);
      for (int64_t t = 0; t < s.n_tokens; ++t) {
        for (int64_t o = 0; o < s.n_out; ++o) {
          want[t * s.n_out + o] += static_cast<float>(
              testing::q8_1_sum_rounding(format, weights.data() + o * row_bytes, quantized.view, t));
        }
      }
    }
    std::vector<float> got(s.n_tokens * s.n_out);
    testing::run_panel_kernels(table(), format, weights.data(), s.n_out, quantized.view, s.n_tokens, got.data());
    for (int64_t t = 0; t < s.n_tokens; ++t) {
      EXPECT_LE(normalized_mse(got.data() + t * s.n_out, want.data() + t * s.n_out, s.n_out), kKernelBound) << "token " << t;
    }
  }
};

TEST_P(QuantLinearKernels, OddShapes) {
  for (WeightFormat format : kQuantFormats) {
    const int64_t block = weight_block_elements(format);
    for (int64_t n_in : {block, int64_t{4096}}) {
      for (int64_t n_out : {1, 7, 33}) check(format, {1, n_out, n_in});
    }
    if (block == 32) check(format, {3, 5, 96});
    check(format, {2, 257, 256});
  }
}

TEST_P(QuantLinearKernels, EveryTokenCountUpToNine) {
  for (WeightFormat format : kQuantFormats) {
    for (int64_t n_tokens = 1; n_tokens <= 9; ++n_tokens) check(format, {n_tokens, 33, 512});
  }
}

TEST_P(QuantLinearKernels, SixtyFourTokens) {
  for (WeightFormat format : kQuantFormats) check(format, {64, 7, 256});
}

// The matrix-vector kernels on the stored blocks: every token count they take, rows whose starts fall at
// every alignment (rows are an odd number of bytes apart for most formats and the matrix starts one byte
// past a boundary), a row range that starts past row 0 and tokens past token 0, against the same reference.
class QuantGemvKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const Kernels& table() const { return *kernels_for(GetParam()); }

  void check(WeightFormat format, Shape s) {
    SCOPED_TRACE(format_name(format) + " tokens=" + std::to_string(s.n_tokens) + " out=" + std::to_string(s.n_out) +
                 " in=" + std::to_string(s.n_in));
    const ActivationFormat activation = activation_format_of(format);
    const int64_t row_bytes = weight_row_bytes(format, s.n_in);
    const testing::Bytes weights = testing::random_weights(format, s.n_out, s.n_in, 23);
    // One token before the ones the kernel reads, so first_token is not 0.
    const int64_t all_tokens = s.n_tokens + 1;
    const testing::Floats x = testing::random_floats(all_tokens * s.n_in, 1, -3, 3, 24);
    ActivationStorage quantized(all_tokens, s.n_in);
    table().quantize_fn(activation)(x.data(), s.n_in, all_tokens, quantized.view, 0);
    std::vector<std::vector<float>> x_values;
    for (int64_t t = 1; t < all_tokens; ++t) x_values.push_back(testing::dequantized_activation(quantized.view, activation, t));
    std::vector<float> want = testing::reference_linear(format, weights.data(), s.n_out, x_values, s.n_in);
    if (activation == ActivationFormat::q8_1) {
      for (int64_t t = 0; t < s.n_tokens; ++t) {
        for (int64_t o = 0; o < s.n_out; ++o) {
          want[t * s.n_out + o] += static_cast<float>(
              testing::q8_1_sum_rounding(format, weights.data() + o * row_bytes, quantized.view, t + 1));
        }
      }
    }
    const QuantGemvFn gemv = table().quant_fn(format).gemv;
    ASSERT_NE(gemv, nullptr);
    const std::vector<float> got =
        testing::gemv_in_two_calls(gemv, weights.data(), row_bytes, s.n_out, s.n_out / 3, quantized.view, 1, s.n_tokens);
    // Over all outputs at once: a single output that happens to cancel to near zero must not decide alone.
    EXPECT_LE(normalized_mse(got.data(), want.data(), got.size()), kKernelBound);
    // The panel kernels of the same table form the same integer sums and differ only in the order of the
    // float additions.
    const QuantizedActivations from_token_1{quantized.view.q + s.n_in, quantized.view.d + s.n_in / activation_block_elements(activation),
                                            quantized.view.s + s.n_in / 32, quantized.view.sums + s.n_in / 32,
                                            quantized.view.bsums + s.n_in / 16, s.n_in};
    std::vector<float> panel(s.n_tokens * s.n_out);
    testing::run_panel_kernels(table(), format, weights.data(), s.n_out, from_token_1, s.n_tokens, panel.data());
    EXPECT_LE(normalized_mse(got.data(), panel.data(), got.size()), kPanelPathBound);
  }
};

TEST_P(QuantGemvKernels, OddShapesAndEveryTokenCount) {
  for (WeightFormat format : kQuantFormats) {
    const int64_t block = weight_block_elements(format);
    for (int64_t n_in : {block, 3 * block, int64_t{4096} + (block == 32 ? 96 : 0)}) {
      for (int64_t n_out : {1, 7, 33, 257}) {
        for (int64_t n_tokens = 1; n_tokens <= kGemvMaxTokens; ++n_tokens) {
          if (n_out == 257 && n_in > 3 * block && n_tokens > 1) continue;  // the largest size once is enough
          check(format, {n_tokens, n_out, n_in});
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QuantLinearKernels, ::testing::ValuesIn(every_isa()), testing::isa_test_name);
INSTANTIATE_TEST_SUITE_P(Isa, QuantGemvKernels, ::testing::ValuesIn(every_isa()), testing::isa_test_name);

// Activations with exact rounding ties (k + 0.5 after scaling), an all-zero block, and a block whose largest
// magnitude is positive (Q8_K's d is then negative).
std::vector<float> awkward_activations(int64_t n) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> steps(-254, 254);
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(steps(rng)) * 0.5f;
  for (int64_t i = 0; i < 256; ++i) x[256 + i] = 0.0f;
  x[512 + 7] = 300.0f;
  for (int64_t i = 0; i < 32; ++i) x[1024 + i] = 127.0f / 2 - static_cast<float>(i);
  return x;
}

class ActivationQuantizers : public ::testing::TestWithParam<Isa> {};

TEST_P(ActivationQuantizers, MatchTheScalarQuantizersBitForBit) {
  const int64_t n_in = 2048, n_tokens = 3;
  const std::vector<float> one_row = awkward_activations(n_in);
  std::vector<float> x;
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (float v : one_row) x.push_back(v * static_cast<float>(t + 1) * 0.37f);
  }
  for (ActivationFormat format : {ActivationFormat::q8_0, ActivationFormat::q8_1, ActivationFormat::q8_k}) {
    ActivationStorage want(n_tokens, n_in), got(n_tokens, n_in);
    testing::reference_kernels().quantize_fn(format)(x.data(), n_in, n_tokens, want.view, 0);
    // Two calls writing different token rows, as the threaded op does.
    kernels_for(GetParam())->quantize_fn(format)(x.data(), n_in, 1, got.view, 0);
    kernels_for(GetParam())->quantize_fn(format)(x.data() + n_in, n_in, n_tokens - 1, got.view, 1);
    const int64_t blocks = n_tokens * n_in / activation_block_elements(format);
    EXPECT_EQ(0, std::memcmp(want.view.q, got.view.q, n_tokens * n_in)) << static_cast<int>(format);
    EXPECT_EQ(0, std::memcmp(want.view.d, got.view.d, blocks * sizeof(float))) << static_cast<int>(format);
    if (format == ActivationFormat::q8_1) {
      EXPECT_EQ(0, std::memcmp(want.view.s, got.view.s, blocks * sizeof(float)));
    }
    if (format != ActivationFormat::q8_k) {
      EXPECT_EQ(0, std::memcmp(want.view.sums, got.view.sums, blocks * sizeof(int32_t))) << static_cast<int>(format);
    }
    if (format == ActivationFormat::q8_k) {
      EXPECT_EQ(0, std::memcmp(want.view.bsums, got.view.bsums, n_tokens * n_in / 16 * sizeof(int16_t)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Simd, ActivationQuantizers, ::testing::ValuesIn(testing::runnable_simd_isas()), testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ActivationQuantizers);

}  // namespace
}  // namespace hearth::cpu
