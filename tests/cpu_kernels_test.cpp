// Every SIMD kernel table against the scalar reference: every row kernel × odd sizes × misaligned starts,
// each with a normalised-MSE bound that says how far the op may drift from the reference.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "support/cpu_kernel_testing.h"
#include "tensor/fp16.h"

namespace hearth::cpu {
namespace {

using testing::Floats;
using testing::kOddSizes;
using testing::kOffsets;
using testing::normalized_mse;
using testing::random_floats;
using testing::reference_kernels;

// Bounds: exact ops must match bit for bit; reductions differ by summation order (f32 vs the reference's
// double); transcendental functions by their polynomial approximations (a few ulp).
constexpr double kExact = 0.0;
constexpr double kReductionBound = 1e-12;
constexpr double kTranscendentalBound = 1e-11;

class CpuKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const Kernels& simd() const { return *kernels_for(GetParam()); }
};

#define FOR_EACH_SHAPE(n, offset)  \
  for (int64_t n : kOddSizes)      \
    for (int64_t offset : kOffsets)

TEST_P(CpuKernels, ElementWiseBinary) {
  for (auto [name, pick] : {std::pair{"add", &Kernels::add}, std::pair{"mul", &Kernels::mul}}) {
    FOR_EACH_SHAPE(n, offset) {
      const Floats a = random_floats(n, offset, -4, 4, 1);
      const Floats b = random_floats(n, offset, -4, 4, 2);
      Floats want(n, offset), got(n, offset);
      (reference_kernels().*pick)(a.data(), b.data(), want.data(), n);
      (simd().*pick)(a.data(), b.data(), got.data(), n);
      EXPECT_LE(normalized_mse(got.data(), want.data(), n), kExact) << name << " n=" << n << " offset=" << offset;
    }
  }
}

TEST_P(CpuKernels, ScaleClampSoftcap) {
  FOR_EACH_SHAPE(n, offset) {
    const Floats x = random_floats(n, offset, -60, 60, 3);
    Floats want(n, offset), got(n, offset);
    reference_kernels().scale(x.data(), 0.37f, want.data(), n);
    simd().scale(x.data(), 0.37f, got.data(), n);
    EXPECT_LE(normalized_mse(got.data(), want.data(), n), kExact) << "scale n=" << n;
    reference_kernels().clamp(x.data(), -7.5f, 12.0f, want.data(), n);
    simd().clamp(x.data(), -7.5f, 12.0f, got.data(), n);
    EXPECT_LE(normalized_mse(got.data(), want.data(), n), kExact) << "clamp n=" << n;
    reference_kernels().softcap(x.data(), 30.0f, want.data(), n);
    simd().softcap(x.data(), 30.0f, got.data(), n);
    EXPECT_LE(normalized_mse(got.data(), want.data(), n), kTranscendentalBound) << "softcap n=" << n;
  }
}

TEST_P(CpuKernels, UnaryActivations) {
  for (size_t op = 0; op < kUnaryOpCount; ++op) {
    FOR_EACH_SHAPE(n, offset) {
      const Floats x = random_floats(n, offset, -12, 12, 4 + static_cast<uint32_t>(op));
      Floats want(n, offset), got(n, offset);
      reference_kernels().unary[op](x.data(), want.data(), n);
      simd().unary[op](x.data(), got.data(), n);
      EXPECT_LE(normalized_mse(got.data(), want.data(), n), kTranscendentalBound) << "unary op " << op << " n=" << n;
    }
  }
}

TEST_P(CpuKernels, UnaryActivationsAtExtremes) {
  const std::vector<float> extremes = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-4f, -1e-4f, 0.6249f, 0.6251f, 20.0f, -20.0f,
                                       87.0f, -87.0f, 88.5f, -88.5f, 200.0f, -200.0f, 1e6f, -1e6f};
  const auto n = static_cast<int64_t>(extremes.size());
  for (size_t op = 0; op < kUnaryOpCount; ++op) {
    std::vector<float> want(n), got(n);
    reference_kernels().unary[op](extremes.data(), want.data(), n);
    simd().unary[op](extremes.data(), got.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_NEAR(got[i], want[i], 1e-6 * std::max(1.0f, std::abs(want[i]))) << "unary op " << op << " x=" << extremes[i];
    }
  }
}

TEST_P(CpuKernels, GatedLinearUnits) {
  for (size_t op = 0; op < kGluOpCount; ++op) {
    FOR_EACH_SHAPE(n, offset) {
      const Floats gate = random_floats(n, offset, -8, 8, 20);
      const Floats up = random_floats(n, offset, -3, 3, 21);
      Floats want(n, offset), got(n, offset);
      reference_kernels().glu[op](gate.data(), up.data(), want.data(), n);
      simd().glu[op](gate.data(), up.data(), got.data(), n);
      EXPECT_LE(normalized_mse(got.data(), want.data(), n), kTranscendentalBound) << "glu op " << op << " n=" << n;
    }
  }
}

TEST_P(CpuKernels, Norms) {
  FOR_EACH_SHAPE(n, offset) {
    // A large common offset makes layer_norm's mean subtraction matter.
    const Floats x = random_floats(n, offset, 50, 54, 30);
    const Floats weight = random_floats(n, offset, 0.5f, 1.5f, 31);
    const Floats bias = random_floats(n, offset, -1, 1, 32);
    Floats want(n, offset), got(n, offset);
    for (const float* w : {static_cast<const float*>(nullptr), weight.data()}) {
      reference_kernels().rms_norm(x.data(), w, 1e-6f, want.data(), n);
      simd().rms_norm(x.data(), w, 1e-6f, got.data(), n);
      EXPECT_LE(normalized_mse(got.data(), want.data(), n), kReductionBound) << "rms_norm n=" << n;
      reference_kernels().layer_norm(x.data(), w, w != nullptr ? bias.data() : nullptr, 1e-5f, want.data(), n);
      simd().layer_norm(x.data(), w, w != nullptr ? bias.data() : nullptr, 1e-5f, got.data(), n);
      // n = 1 normalises to exactly 0 (+bias); otherwise the f32 mean carries ~1e-7 relative error of 52.
      EXPECT_LE(normalized_mse(got.data(), want.data(), n), 1e-9) << "layer_norm n=" << n;
    }
    reference_kernels().l2_norm(x.data(), 1e-6f, want.data(), n);
    simd().l2_norm(x.data(), 1e-6f, got.data(), n);
    EXPECT_LE(normalized_mse(got.data(), want.data(), n), kReductionBound) << "l2_norm n=" << n;
  }
}

TEST_P(CpuKernels, NormsInPlace) {
  Floats x = random_floats(257, 1, -3, 3, 33);
  Floats want(257, 1);
  reference_kernels().rms_norm(x.data(), nullptr, 1e-6f, want.data(), 257);
  simd().rms_norm(x.data(), nullptr, 1e-6f, x.data(), 257);
  EXPECT_LE(normalized_mse(x.data(), want.data(), 257), kReductionBound);
}

TEST_P(CpuKernels, Softmax) {
  FOR_EACH_SHAPE(n, offset) {
    const Floats x = random_floats(n, offset, -20, 20, 40);
    Floats mask = random_floats(n, offset, -2, 0, 41);
    for (int64_t i = 0; i < n; i += 3) mask[i] = -std::numeric_limits<float>::infinity();
    Floats want(n, offset), got(n, offset);
    for (const float* m : {static_cast<const float*>(nullptr), static_cast<const float*>(mask.data())}) {
      for (float cap : {0.0f, 5.0f}) {
        reference_kernels().softmax(x.data(), m, 0.125f, cap, want.data(), n);
        simd().softmax(x.data(), m, 0.125f, cap, got.data(), n);
        EXPECT_LE(normalized_mse(got.data(), want.data(), n), kTranscendentalBound)
            << "softmax n=" << n << " mask=" << (m != nullptr) << " cap=" << cap;
      }
    }
  }
}

TEST_P(CpuKernels, SoftmaxOfFullyMaskedRowIsZero) {
  const std::vector<float> x = {1, 2, 3};
  const std::vector<float> mask(3, -std::numeric_limits<float>::infinity());
  std::vector<float> y(3, 1.0f);
  simd().softmax(x.data(), mask.data(), 1.0f, 0.0f, y.data(), 3);
  EXPECT_EQ(y, std::vector<float>(3, 0.0f));
}

TEST_P(CpuKernels, Rope) {
  for (int64_t n_rot : {2, 6, 16, 34, 128, 258}) {
    for (int64_t offset : kOffsets) {
      const Floats x = random_floats(n_rot, offset, -2, 2, 50);
      const Floats angles = random_floats(n_rot, offset, -3.2f, 3.2f, 51);
      std::vector<float> cos_pairs(n_rot / 2), sin_pairs(n_rot / 2), cos_values(n_rot), sin_values(n_rot);
      for (int64_t j = 0; j < n_rot / 2; ++j) {
        cos_pairs[j] = cos_values[2 * j] = cos_values[2 * j + 1] = std::cos(angles.data()[j]);
        sin_pairs[j] = sin_values[2 * j + 1] = std::sin(angles.data()[j]);
        sin_values[2 * j] = -sin_pairs[j];
      }
      Floats want(n_rot, offset), got(n_rot, offset);
      reference_kernels().rope_neox(x.data(), cos_pairs.data(), sin_pairs.data(), n_rot, want.data());
      simd().rope_neox(x.data(), cos_pairs.data(), sin_pairs.data(), n_rot, got.data());
      EXPECT_LE(normalized_mse(got.data(), want.data(), n_rot), kReductionBound) << "neox n_rot=" << n_rot;
      reference_kernels().rope_adjacent(x.data(), cos_values.data(), sin_values.data(), n_rot, want.data());
      simd().rope_adjacent(x.data(), cos_values.data(), sin_values.data(), n_rot, got.data());
      EXPECT_LE(normalized_mse(got.data(), want.data(), n_rot), kReductionBound) << "adjacent n_rot=" << n_rot;
    }
  }
}

TEST_P(CpuKernels, ArgmaxFindsFirstOfTies) {
  FOR_EACH_SHAPE(n, offset) {
    Floats x = random_floats(n, offset, -5, 5, 60);
    EXPECT_EQ(simd().argmax(x.data(), n), reference_kernels().argmax(x.data(), n)) << "n=" << n;
    x[n - 1] = 9.0f;
    x[n / 2] = 9.0f;
    EXPECT_EQ(simd().argmax(x.data(), n), n / 2) << "n=" << n;
  }
}

// Random bit patterns cover normals, subnormals, ±inf, NaN and exact ties of the rounding.
TEST_P(CpuKernels, HalfPrecisionConversionsAreBitExact) {
  std::mt19937 rng(70);
  for (int64_t n : kOddSizes) {
    std::vector<uint16_t> halves(n);
    std::vector<float> floats(n);
    for (int64_t i = 0; i < n; ++i) {
      halves[i] = static_cast<uint16_t>(rng());
      floats[i] = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    }
    floats[0] = std::bit_cast<float>(0x3F808000u);  // exactly halfway between two bf16 values
    std::vector<float> want_f(n), got_f(n);
    std::vector<uint16_t> want_h(n), got_h(n);
    // F16C quiets signalling NaNs on the way up, the reference keeps their payload: any NaN is accepted
    // for a NaN.
    const auto same_bits = [](const std::vector<float>& a, const std::vector<float>& b) {
      for (size_t i = 0; i < a.size(); ++i) {
        if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i]) && !(std::isnan(a[i]) && std::isnan(b[i]))) return false;
      }
      return true;
    };
    reference_kernels().f16_to_f32(halves.data(), want_f.data(), n);
    simd().f16_to_f32(halves.data(), got_f.data(), n);
    EXPECT_TRUE(same_bits(got_f, want_f)) << "f16_to_f32 n=" << n;
    reference_kernels().bf16_to_f32(halves.data(), want_f.data(), n);
    simd().bf16_to_f32(halves.data(), got_f.data(), n);
    EXPECT_TRUE(same_bits(got_f, want_f)) << "bf16_to_f32 n=" << n;
    reference_kernels().f32_to_f16(floats.data(), want_h.data(), n);
    simd().f32_to_f16(floats.data(), got_h.data(), n);
    EXPECT_EQ(got_h, want_h) << "f32_to_f16 n=" << n;
    reference_kernels().f32_to_bf16(floats.data(), want_h.data(), n);
    simd().f32_to_bf16(floats.data(), got_h.data(), n);
    EXPECT_EQ(got_h, want_h) << "f32_to_bf16 n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Simd, CpuKernels, ::testing::ValuesIn(testing::runnable_simd_isas()), testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CpuKernels);

// The reference itself, on values worked out by hand.
TEST(CpuReferenceKernels, MatchHandComputedValues) {
  const Kernels& ref = reference_kernels();
  const std::vector<float> x = {3.0f, 4.0f};
  std::vector<float> y(2);
  ref.rms_norm(x.data(), nullptr, 0.0f, y.data(), 2);  // rms = √12.5
  EXPECT_NEAR(y[0], 3.0f / std::sqrt(12.5f), 1e-6);
  ref.l2_norm(x.data(), 1e-6f, y.data(), 2);
  EXPECT_NEAR(y[1], 0.8f, 1e-6);
  ref.layer_norm(x.data(), nullptr, nullptr, 0.0f, y.data(), 2);
  EXPECT_NEAR(y[0], -1.0f, 1e-6);
  ref.softmax(x.data(), nullptr, 1.0f, 0.0f, y.data(), 2);
  EXPECT_NEAR(y[1], 1.0f / (1.0f + std::exp(-1.0f)), 1e-6);
  const float one = 1.0f;
  float value = 0.0f;
  ref.unary_fn(UnaryOp::gelu_tanh)(&one, &value, 1);
  EXPECT_NEAR(value, 0.8411920f, 1e-6);
  ref.unary_fn(UnaryOp::softplus)(&one, &value, 1);
  EXPECT_NEAR(value, std::log(1.0f + std::exp(1.0f)), 1e-6);
  // NeoX pairs x[0] with x[1] when n_rot = 2: a quarter turn maps (1, 0) to (0, 1).
  const std::vector<float> head = {1.0f, 0.0f};
  const float c = 0.0f, s = 1.0f;
  ref.rope_neox(head.data(), &c, &s, 2, y.data());
  EXPECT_EQ(y, (std::vector<float>{0.0f, 1.0f}));
}

}  // namespace
}  // namespace hearth::cpu
