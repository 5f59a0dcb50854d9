// quantize_row followed by dequantize_row: error bounds per type on several value distributions and magnitudes,
// degenerate rows (all zero, constant), the activation formats Q8_0 / Q8_1 / Q8_K, and argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tensor/fp16.h"
#include "tensor/quants.h"

namespace hearth {
namespace {

enum class Distribution { kUniform, kGaussian, kHeavyTailed, kPositive, kSparse, kConstant };
constexpr Distribution kDistributions[] = {Distribution::kUniform,  Distribution::kGaussian, Distribution::kHeavyTailed,
                                           Distribution::kPositive, Distribution::kSparse,   Distribution::kConstant};

std::vector<float> random_values(Distribution distribution, size_t n, float magnitude, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-1.f, 1.f);
  std::normal_distribution<float> gaussian(0.f, 1.f);
  std::student_t_distribution<float> heavy(2.f);
  std::vector<float> values(n);
  for (size_t i = 0; i < n; ++i) {
    switch (distribution) {
      case Distribution::kUniform: values[i] = uniform(rng); break;
      case Distribution::kGaussian: values[i] = gaussian(rng); break;
      // Clamped so that 1000x stays inside the fp16 range of the block scales and minimums.
      case Distribution::kHeavyTailed: values[i] = std::clamp(heavy(rng), -60.f, 60.f); break;
      case Distribution::kPositive: values[i] = 0.5f + 0.5f * uniform(rng); break;
      case Distribution::kSparse: values[i] = i % 7 == 0 ? gaussian(rng) : 0.f; break;
      case Distribution::kConstant: values[i] = 0.37f; break;
    }
    values[i] *= magnitude;
  }
  return values;
}

// Decodes any type quantize_row writes, including the activation-only formats.
std::vector<float> decode(TensorType type, const std::vector<uint8_t>& bytes, size_t n) {
  std::vector<float> out(n);
  const auto count = static_cast<int64_t>(n);
  if (type == TensorType::Q8_1) {
    dequantize_row_q8_1(reinterpret_cast<const BlockQ8_1*>(bytes.data()), out.data(), count);
  } else if (type == TensorType::Q8_K) {
    dequantize_row_q8_k(reinterpret_cast<const BlockQ8_K*>(bytes.data()), out.data(), count);
  } else {
    EXPECT_TRUE(dequantize_row(type, bytes.data(), out.data(), count).ok());
  }
  return out;
}

std::vector<uint8_t> quantize(TensorType type, const std::vector<float>& values) {
  const auto n = static_cast<int64_t>(values.size());
  std::vector<uint8_t> bytes(*row_bytes(type, n));
  const Result<uint64_t> written = quantize_row(type, values.data(), bytes.data(), n);
  EXPECT_TRUE(written.ok()) << (written.ok() ? "" : written.error());
  if (written.ok()) {
    EXPECT_EQ(*written, bytes.size());
  }
  return bytes;
}

double relative_rmse(const std::vector<float>& reference, const std::vector<float>& approximation) {
  double error = 0;
  double signal = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    error += std::pow(static_cast<double>(approximation[i]) - reference[i], 2);
    signal += static_cast<double>(reference[i]) * reference[i];
  }
  return std::sqrt(error / signal);
}

// Relative RMSE limits: about 1.3x the worst measured over the magnitudes and row counts below, for Gaussian
// rows and for any distribution (heavy tails, sparse and constant rows cost the block formats more; tiny values
// push IQ4_XS's small super-scale into fp16 subnormals).
struct ErrorBound {
  TensorType type;
  double gaussian;
  double any;
};

constexpr ErrorBound kBounds[] = {
    {TensorType::F32, 0.0, 0.0},          {TensorType::F16, 3e-4, 4.5e-4},      {TensorType::BF16, 2.3e-3, 3.2e-3},
    {TensorType::Q8_0, 7.5e-3, 1.4e-2},   {TensorType::Q8_1, 7.5e-3, 1.5e-2},   {TensorType::Q8_K, 1.05e-2, 3.4e-2},
    {TensorType::Q6_K, 2.7e-2, 4.4e-2},   {TensorType::Q5_0, 5.8e-2, 0.107},    {TensorType::Q5_1, 5.2e-2, 8.1e-2},
    {TensorType::Q5_K, 4.9e-2, 7.3e-2},   {TensorType::Q4_0, 0.118, 0.19},      {TensorType::Q4_1, 0.104, 0.18},
    {TensorType::Q4_K, 0.094, 0.14},      {TensorType::IQ4_NL, 0.108, 0.16},    {TensorType::IQ4_XS, 0.105, 0.215},
    {TensorType::Q3_K, 0.205, 0.26},      {TensorType::Q2_K, 0.42, 0.75},
};

TEST(QuantRoundTrip, ErrorStaysWithinBoundsForEveryType) {
  std::mt19937 rng(42);
  for (const ErrorBound& bound : kBounds) {
    for (const Distribution distribution : kDistributions) {
      for (const float magnitude : {1e-3f, 1.0f, 1e3f}) {
        for (const size_t rows : {1u, 3u, 7u}) {
          SCOPED_TRACE(std::string(type_info(bound.type).name) + " distribution " +
                       std::to_string(static_cast<int>(distribution)) + " magnitude " + std::to_string(magnitude) +
                       " rows " + std::to_string(rows));
          const std::vector<float> values = random_values(distribution, rows * 512, magnitude, rng);
          const std::vector<float> decoded = decode(bound.type, quantize(bound.type, values), values.size());
          EXPECT_LE(relative_rmse(values, decoded),
                    distribution == Distribution::kGaussian ? bound.gaussian : bound.any);
        }
      }
    }
  }
}

TEST(QuantRoundTrip, ManyRowsAtOnceEqualRowByRow) {
  std::mt19937 rng(3);
  for (const ErrorBound& bound : kBounds) {
    SCOPED_TRACE(type_info(bound.type).name);
    const std::vector<float> values = random_values(Distribution::kGaussian, 5 * 256, 1.f, rng);
    const std::vector<uint8_t> together = quantize(bound.type, values);
    std::vector<uint8_t> separate;
    for (size_t row = 0; row < 5; ++row) {
      const std::vector<float> one_row(values.begin() + static_cast<int64_t>(256 * row),
                                       values.begin() + static_cast<int64_t>(256 * (row + 1)));
      const std::vector<uint8_t> bytes = quantize(bound.type, one_row);
      separate.insert(separate.end(), bytes.begin(), bytes.end());
    }
    EXPECT_EQ(together, separate);
  }
}

// d == 0 everywhere must decode to exact zeros, never NaN from a 0/0.
TEST(QuantRoundTrip, AllZeroRowsDecodeToZero) {
  for (const ErrorBound& bound : kBounds) {
    SCOPED_TRACE(type_info(bound.type).name);
    const std::vector<float> zeros(768, 0.0f);
    for (const float value : decode(bound.type, quantize(bound.type, zeros), zeros.size())) {
      ASSERT_EQ(value, 0.0f);
    }
  }
}

TEST(QuantRoundTrip, OneLargeValueAmongZerosIsKept) {
  for (const ErrorBound& bound : kBounds) {
    SCOPED_TRACE(type_info(bound.type).name);
    std::vector<float> values(256, 0.0f);
    values[77] = -3.5f;
    const std::vector<float> decoded = decode(bound.type, quantize(bound.type, values), values.size());
    EXPECT_NEAR(decoded[77], -3.5f, 3.5f * 0.02f);
    for (size_t i = 0; i < decoded.size(); ++i) {
      if (i != 77) {
        ASSERT_NEAR(decoded[i], 0.0f, 0.35f) << i;
      }
    }
  }
}

TEST(QuantRoundTrip, Q8KBlockSumsScaleAndRange) {
  std::mt19937 rng(5);
  const std::vector<float> values = random_values(Distribution::kHeavyTailed, 3 * 256, 1.f, rng);
  std::vector<BlockQ8_K> blocks(3);
  ASSERT_TRUE(quantize_row(TensorType::Q8_K, values.data(), blocks.data(), 768).ok());
  for (size_t b = 0; b < blocks.size(); ++b) {
    const auto first = values.begin() + static_cast<int64_t>(256 * b);
    const auto by_magnitude = [](float x, float y) { return std::fabs(x) < std::fabs(y); };
    const auto largest = std::max_element(first, first + 256, by_magnitude);
    EXPECT_EQ(blocks[b].qs[largest - first], -127);  // the largest magnitude always maps to -127
    EXPECT_EQ(blocks[b].d, 1 / (-127.f / *largest));  // negative when the largest value is positive
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j) {
        EXPECT_GE(blocks[b].qs[16 * g + j], -127);
        sum += blocks[b].qs[16 * g + j];
      }
      EXPECT_EQ(blocks[b].bsums[g], sum);
    }
  }
  const std::vector<float> zeros(256, 0.0f);
  BlockQ8_K zero_block;
  std::memset(&zero_block, 0xAB, sizeof(zero_block));
  ASSERT_TRUE(quantize_row(TensorType::Q8_K, zeros.data(), &zero_block, 256).ok());
  EXPECT_EQ(zero_block.d, 0.0f);
  for (const int16_t sum : zero_block.bsums) EXPECT_EQ(sum, 0);
  for (const int8_t q : zero_block.qs) EXPECT_EQ(q, 0);
}

// A block whose amax is 127 has d = 1 and id = 1 in both variants, so 2.5 is an exact tie: the reference
// rounds it away from zero, the AVX activation path to even.
TEST(QuantRoundTrip, ActivationQ8RoundsTiesToEvenAndReferenceAwayFromZero) {
  std::vector<float> values(32, 0.0f);
  values[0] = 127.f;
  values[1] = 2.5f;
  values[2] = -3.5f;
  BlockQ8_0 reference{};
  BlockQ8_0 activation{};
  ASSERT_TRUE(quantize_row(TensorType::Q8_0, values.data(), &reference, 32).ok());
  quantize_row_q8_0_activation(values.data(), &activation, 32);
  EXPECT_EQ(reference.qs[1], 3);
  EXPECT_EQ(activation.qs[1], 2);
  EXPECT_EQ(reference.qs[2], -4);
  EXPECT_EQ(activation.qs[2], -4);
  EXPECT_EQ(reference.d, activation.d);

  BlockQ8_1 reference1{};
  BlockQ8_1 activation1{};
  ASSERT_TRUE(quantize_row(TensorType::Q8_1, values.data(), &reference1, 32).ok());
  quantize_row_q8_1_activation(values.data(), &activation1, 32);
  EXPECT_EQ(reference1.qs[1], 3);
  EXPECT_EQ(activation1.qs[1], 2);
  EXPECT_EQ(fp16_to_f32(reference1.s), 127.f + 3.f - 4.f);
  EXPECT_EQ(fp16_to_f32(activation1.s), 127.f + 2.f - 4.f);
}

TEST(QuantRoundTrip, ActivationAndReferenceQ8DifferByAtMostOneUnit) {
  std::mt19937 rng(9);
  const std::vector<float> values = random_values(Distribution::kGaussian, 32 * 1000, 1.f, rng);
  std::vector<BlockQ8_0> reference(1000);
  std::vector<BlockQ8_0> activation(1000);
  std::vector<BlockQ8_1> activation1(1000);
  ASSERT_TRUE(quantize_row(TensorType::Q8_0, values.data(), reference.data(), 32000).ok());
  quantize_row_q8_0_activation(values.data(), activation.data(), 32000);
  quantize_row_q8_1_activation(values.data(), activation1.data(), 32000);
  for (size_t b = 0; b < reference.size(); ++b) {
    EXPECT_EQ(reference[b].d, activation[b].d);
    int sum = 0;
    for (int j = 0; j < 32; ++j) {
      EXPECT_LE(std::abs(reference[b].qs[j] - activation[b].qs[j]), 1);
      EXPECT_GE(activation[b].qs[j], -127);
      EXPECT_EQ(activation1[b].qs[j], activation[b].qs[j]);
      sum += activation[b].qs[j];
    }
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(values[32 * b + j]));
    EXPECT_EQ(activation1[b].s, f32_to_fp16(static_cast<float>(sum) * (amax / 127.f)));  // s = d * sum, d in f32
  }
}

TEST(QuantRoundTrip, ArgumentErrors) {
  const std::vector<float> values(256, 1.0f);
  std::vector<uint8_t> bytes(4096);
  for (const TensorType type : {TensorType::MXFP4, TensorType::IQ2_XXS, TensorType::TQ2_0, TensorType::I32}) {
    EXPECT_FALSE(can_quantize(type));
    const Result<uint64_t> result = quantize_row(type, values.data(), bytes.data(), 256);
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().find(type_info(type).name), std::string::npos) << result.error();
  }
  EXPECT_FALSE(quantize_row(TensorType::Q4_K, values.data(), bytes.data(), 128).ok());
  EXPECT_FALSE(quantize_row(TensorType::Q8_0, values.data(), bytes.data(), 33).ok());
  const Result<uint64_t> written = quantize_row(TensorType::Q4_K, values.data(), bytes.data(), 256);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, 144u);
}

}  // namespace
}  // namespace hearth
