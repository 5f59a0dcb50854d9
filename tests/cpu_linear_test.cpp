// Linear layers (y = x·Wᵀ) with F32, F16 and BF16 weights: the matrix-vector and matrix-matrix kernels of
// every SIMD table against the scalar reference, and the threaded op against the kernels.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/ops.h"
#include "support/cpu_kernel_testing.h"
#include "tensor/fp16.h"

namespace hearth::cpu {
namespace {

using testing::Floats;
using testing::normalized_mse;
using testing::random_floats;
using testing::reference_kernels;

// f32 accumulation over up to 4097 products against the reference's double accumulation.
constexpr double kLinearBound = 1e-11;

// Weights of one format, with an f32 copy of the exact values they hold.
struct TestWeights {
  WeightFormat format;
  std::vector<float> f32;
  std::vector<uint16_t> halves;
  const void* data() const { return format == WeightFormat::f32 ? static_cast<const void*>(f32.data()) : halves.data(); }
};

TestWeights make_weights(WeightFormat format, int64_t n_out, int64_t n_in, uint32_t seed) {
  TestWeights w{format, {}, {}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  w.f32.resize(n_out * n_in);
  if (format != WeightFormat::f32) w.halves.resize(n_out * n_in);
  for (size_t i = 0; i < w.f32.size(); ++i) {
    const float value = dist(rng);
    if (format == WeightFormat::f16) {
      w.halves[i] = f32_to_fp16(value);
      w.f32[i] = fp16_to_f32(w.halves[i]);
    } else if (format == WeightFormat::bf16) {
      w.halves[i] = f32_to_bf16(value);
      w.f32[i] = bf16_to_f32(w.halves[i]);
    } else {
      w.f32[i] = value;
    }
  }
  return w;
}

const char* format_name(WeightFormat format) {
  constexpr const char* kNames[kFloatWeightFormatCount] = {"f32", "f16", "bf16"};
  return kNames[static_cast<size_t>(format)];
}

constexpr WeightFormat kFormats[] = {WeightFormat::f32, WeightFormat::f16, WeightFormat::bf16};

struct Shape {
  int64_t n_tokens, n_out, n_in;
};

class CpuLinear : public ::testing::TestWithParam<Isa> {
 protected:
  const Kernels& simd() const { return *kernels_for(GetParam()); }

  // Runs one kernel of `pick` (gemv or gemm) on x rows one float past an aligned start, y rows padded to
  // a stride wider than n_out, and compares with the reference.
  void check(std::array<LinearFn, kFloatWeightFormatCount> Kernels::*pick, WeightFormat format, Shape s) {
    const TestWeights w = make_weights(format, s.n_out, s.n_in, 7);
    const int64_t x_stride = s.n_in + 3;
    const int64_t y_stride = s.n_out + 5;
    const Floats x = random_floats(s.n_tokens * x_stride, 1, -2, 2, 8);
    Floats want(s.n_tokens * y_stride, 1), got(s.n_tokens * y_stride, 1);
    const auto index = static_cast<size_t>(format);
    (reference_kernels().*pick)[index]({x.data(), x_stride, w.data(), s.n_in, s.n_out, s.n_tokens, want.data(), y_stride});
    (simd().*pick)[index]({x.data(), x_stride, w.data(), s.n_in, s.n_out, s.n_tokens, got.data(), y_stride});
    for (int64_t t = 0; t < s.n_tokens; ++t) {
      EXPECT_LE(normalized_mse(got.data() + t * y_stride, want.data() + t * y_stride, s.n_out), kLinearBound)
          << format_name(format) << " tokens=" << s.n_tokens << " out=" << s.n_out << " in=" << s.n_in << " token " << t;
    }
  }
};

TEST_P(CpuLinear, MatrixVectorOddSizes) {
  for (WeightFormat format : kFormats) {
    for (int64_t n_in : testing::kOddSizes) {
      for (int64_t n_out : {1, 5, 33}) check(&Kernels::gemv, format, {1, n_out, n_in});
    }
    check(&Kernels::gemv, format, {3, 9, 40});
  }
}

TEST_P(CpuLinear, MatrixMatrixOddSizes) {
  for (WeightFormat format : kFormats) {
    for (Shape s : {Shape{2, 1, 1}, Shape{7, 7, 7}, Shape{13, 33, 257}, Shape{25, 17, 600}, Shape{6, 48, 4097},
                    Shape{33, 70, 33}}) {
      check(&Kernels::gemm, format, s);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Simd, CpuLinear, ::testing::ValuesIn(testing::runnable_simd_isas()), testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CpuLinear);

// The threaded op (block splitting, both paths, as_stored rounding) against one reference kernel call.
TEST(CpuLinearOp, MatchesReferenceOnEveryPathAndThreadCount) {
  const Kernels& active = active_kernels();
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    const OpContext ctx{&pool, &active};
    for (WeightFormat format : kFormats) {
      for (Shape s : {Shape{1, 100, 257}, Shape{200, 130, 300}, Shape{5, 64, 64}}) {
        const TestWeights w = make_weights(format, s.n_out, s.n_in, 9);
        const Floats x = random_floats(s.n_tokens * s.n_in, 0, -2, 2, 10);
        std::vector<float> want(s.n_tokens * s.n_out), got(s.n_tokens * s.n_out);
        reference_kernels().gemm_fn(format)({x.data(), s.n_in, w.data(), s.n_in, s.n_out, s.n_tokens, want.data(), s.n_out});
        linear(ctx, x.data(), s.n_tokens, {format, w.data(), s.n_out, s.n_in}, got.data());
        EXPECT_LE(normalized_mse(got.data(), want.data(), got.size()), kLinearBound)
            << format_name(format) << " threads=" << threads << " tokens=" << s.n_tokens;
      }
    }
  }
}

TEST(CpuLinearOp, AsStoredRoundsActivationsToTheWeightFormat) {
  const OpContext ctx = default_op_context();
  const int64_t n_in = 96, n_out = 8;
  const Floats x = random_floats(n_in, 0, -2, 2, 11);
  for (WeightFormat format : {WeightFormat::f16, WeightFormat::bf16}) {
    const TestWeights w = make_weights(format, n_out, n_in, 12);
    std::vector<float> rounded_x(n_in);
    for (int64_t i = 0; i < n_in; ++i) {
      rounded_x[i] = format == WeightFormat::f16 ? fp16_to_f32(f32_to_fp16(x.data()[i])) : bf16_to_f32(f32_to_bf16(x.data()[i]));
    }
    std::vector<float> want(n_out), upcast(n_out), stored(n_out);
    reference_kernels().gemv_fn(format)({rounded_x.data(), n_in, w.data(), n_in, n_out, 1, want.data(), n_out});
    linear(ctx, x.data(), 1, {format, w.data(), n_out, n_in}, stored.data(), LinearNumerics::as_stored);
    linear(ctx, x.data(), 1, {format, w.data(), n_out, n_in}, upcast.data(), LinearNumerics::f32_upcast);
    EXPECT_LE(normalized_mse(stored.data(), want.data(), n_out), kLinearBound) << format_name(format);
    EXPECT_GT(normalized_mse(upcast.data(), want.data(), n_out), 1e-10) << format_name(format);
  }
}

}  // namespace
}  // namespace hearth::cpu
