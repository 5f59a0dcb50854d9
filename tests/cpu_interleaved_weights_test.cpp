// Interleaved weight groups (cpu/interleaved_weights.h): the layout is a lossless permutation of the rows,
// the interleaved matrix-vector kernels of every table that has them match the same table's row kernels and
// the double reference, and the linear op gives the same results on an interleaved matrix on every path
// (interleaved decode, panels, dequantizing, a table without interleaved kernels).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/interleaved_weights.h"
#include "cpu/weight_formats.h"
#include "tensor/blocks.h"
#include "support/cpu_kernel_testing.h"
#include "support/quant_linear_testing.h"

namespace hearth::cpu {
namespace {

using testing::ActivationStorage;
using testing::format_name;
using testing::normalized_mse;

constexpr WeightFormat kInterleavedFormats[] = {WeightFormat::q4_0, WeightFormat::q8_0, WeightFormat::q4_k};
constexpr double kKernelBound = 1e-10;
constexpr double kRowKernelBound = 1e-11;  // float summation order only
constexpr double kOpBound = 1e-10;

bool has_interleaved_kernels(Isa isa) {
  const Kernels& table = *kernels_for(isa);
  for (WeightFormat format : kInterleavedFormats) {
    if (table.quant_fn(format).gemv_interleaved == nullptr) return false;
  }
  return true;
}

// The runnable tables with interleaved kernels: x86 ones; NEON reads every layout through rows_of().
std::vector<Isa> isas_with_interleaved_kernels() {
  std::vector<Isa> isas;
  for (Isa isa : testing::runnable_simd_isas()) {
    if (has_interleaved_kernels(isa)) isas.push_back(isa);
  }
  return isas;
}

TEST(InterleavedLayout, OnlyTheFormatsWithAnInterleavedKernel) {
  for (WeightFormat format : kInterleavedFormats) EXPECT_TRUE(has_interleaved_layout(format)) << format_name(format);
  EXPECT_FALSE(has_interleaved_layout(WeightFormat::q5_0));
  EXPECT_FALSE(has_interleaved_layout(WeightFormat::q6_k));
  EXPECT_FALSE(has_interleaved_layout(WeightFormat::f16));
}

TEST(InterleavedLayout, IsAPermutationOfTheRows) {
  for (WeightFormat format : kInterleavedFormats) {
    for (int64_t n_in : {256, 1536}) {
      const int64_t row_bytes = weight_row_bytes(format, n_in);
      const testing::Bytes rows = testing::random_weights(format, kInterleaveRows, n_in, 3);
      std::vector<uint8_t> group(kInterleaveRows * row_bytes), back(kInterleaveRows * row_bytes);
      interleave_group(format, rows.data(), row_bytes, group.data());
      deinterleave_group(format, group.data(), row_bytes, back.data());
      EXPECT_EQ(0, std::memcmp(back.data(), rows.data(), back.size())) << format_name(format) << " n_in=" << n_in;
      // Same bytes, other order: the sorted contents agree.
      std::vector<uint8_t> sorted_rows(rows.data(), rows.data() + group.size());
      std::sort(sorted_rows.begin(), sorted_rows.end());
      std::sort(group.begin(), group.end());
      EXPECT_EQ(sorted_rows, group) << format_name(format);
    }
  }
}

TEST(InterleavedLayout, RowsOfAnyRangeComeBackAsStored) {
  ThreadPool pool(2);
  for (WeightFormat format : kInterleavedFormats) {
    const int64_t n_out = 40, n_in = 512;
    const int64_t row_bytes = weight_row_bytes(format, n_in);
    const testing::Bytes rows = testing::random_weights(format, n_out, n_in, 4);
    const WeightMatrix stored{format, rows.data(), n_out, n_in};
    std::vector<uint8_t> interleaved_bytes(n_out * row_bytes);
    const WeightMatrix interleaved = interleave_into({&pool, &active_kernels()}, stored, interleaved_bytes.data());
    EXPECT_EQ(interleaved.layout, WeightLayout::interleaved);
    EXPECT_EQ(interleaved.data, interleaved_bytes.data());
    std::vector<uint8_t> scratch;
    for (auto [first, count] : {std::pair<int64_t, int64_t>{0, 40}, {3, 1}, {7, 2}, {8, 8}, {13, 20}, {39, 1}}) {
      const uint8_t* got = rows_of(interleaved, first, count, scratch);
      EXPECT_EQ(0, std::memcmp(got, rows.data() + first * row_bytes, count * row_bytes))
          << format_name(format) << " rows " << first << "+" << count;
      EXPECT_EQ(rows_of(stored, first, count, scratch), rows.data() + first * row_bytes);
    }
  }
}

TEST(InterleavedLayout, WorthItOnlyForWholeGroupsOfStoredRowsWithAKernel) {
  const Kernels& scalar = testing::reference_kernels();
  EXPECT_FALSE(worth_interleaving({WeightFormat::q4_k, nullptr, 64, 256}, scalar));
  for (Isa isa : testing::runnable_simd_isas()) {
    const Kernels& table = *kernels_for(isa);
#if defined(__x86_64__)
    EXPECT_TRUE(has_interleaved_kernels(isa)) << "every x86 SIMD table has interleaved kernels";
#endif
    EXPECT_EQ(has_interleaved_kernels(isa), worth_interleaving({WeightFormat::q4_k, nullptr, 64, 256}, table));
    EXPECT_FALSE(worth_interleaving({WeightFormat::q4_k, nullptr, 63, 256}, table));
    EXPECT_FALSE(worth_interleaving({WeightFormat::q6_k, nullptr, 64, 256}, table));
    EXPECT_FALSE(worth_interleaving({WeightFormat::q4_k, nullptr, 64, 256, WeightLayout::interleaved}, table));
  }
}

struct Shape {
  int64_t n_tokens, n_out, n_in;
};

class InterleavedGemvKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const Kernels& table() const { return *kernels_for(GetParam()); }

  void check(WeightFormat format, Shape s) {
    SCOPED_TRACE(format_name(format) + " tokens=" + std::to_string(s.n_tokens) + " out=" + std::to_string(s.n_out) +
                 " in=" + std::to_string(s.n_in));
    const int64_t row_bytes = weight_row_bytes(format, s.n_in);
    const testing::Bytes rows = testing::random_weights(format, s.n_out, s.n_in, 25);
    // Groups one byte past a boundary, as a slice of a matrix may start anywhere.
    testing::Bytes groups(s.n_out * row_bytes, 1);
    for (int64_t g = 0; g < s.n_out / kInterleaveRows; ++g) {
      interleave_group(format, rows.data() + g * kInterleaveRows * row_bytes, row_bytes, groups.data() + g * kInterleaveRows * row_bytes);
    }
    // Token 0 is not read, so first_token is 1.
    const int64_t all_tokens = s.n_tokens + 1;
    const testing::Floats x = testing::random_floats(all_tokens * s.n_in, 1, -3, 3, 26);
    ActivationStorage quantized(all_tokens, s.n_in);
    const ActivationFormat activation = activation_format_of(format);
    table().quantize_fn(activation)(x.data(), s.n_in, all_tokens, quantized.view, 0);
    std::vector<std::vector<float>> x_values;
    for (int64_t t = 1; t < all_tokens; ++t) x_values.push_back(testing::dequantized_activation(quantized.view, activation, t));
    const std::vector<float> want = testing::reference_linear(format, rows.data(), s.n_out, x_values, s.n_in);

    // The groups in two calls, split at a group boundary.
    const QuantGemvFn gemv = table().quant_fn(format).gemv_interleaved;
    ASSERT_NE(gemv, nullptr);
    const int64_t split = s.n_out / kInterleaveRows / 2 * kInterleaveRows;
    const std::vector<float> got =
        testing::gemv_in_two_calls(gemv, groups.data(), row_bytes, s.n_out, split, quantized.view, 1, s.n_tokens);
    EXPECT_LE(normalized_mse(got.data(), want.data(), got.size()), kKernelBound);

    std::vector<float> row_kernel(s.n_tokens * s.n_out);
    table().quant_fn(format).gemv(rows.data(), row_bytes, s.n_out, quantized.view, 1, s.n_tokens, row_kernel.data(), s.n_out);
    EXPECT_LE(normalized_mse(got.data(), row_kernel.data(), got.size()), kRowKernelBound);
  }
};

TEST_P(InterleavedGemvKernels, EveryTokenCountAndRowLength) {
  for (WeightFormat format : kInterleavedFormats) {
    for (int64_t n_in : {256, 768, 4096}) {
      for (int64_t n_out : {8, 24, 264}) {
        for (int64_t n_tokens = 1; n_tokens <= kGemvMaxTokens; ++n_tokens) {
          if (n_out == 264 && n_in == 4096 && n_tokens > 1) continue;  // the largest size once is enough
          check(format, {n_tokens, n_out, n_in});
        }
      }
    }
  }
}

// Every quant and scale at its largest and every activation at the end of the Q8_K range with one sign: the
// int16 sums of the kernels are then at their largest and must not saturate.
TEST_P(InterleavedGemvKernels, ExtremeValuesDoNotSaturate) {
  for (WeightFormat format : kInterleavedFormats) {
    const int64_t n_out = 8, n_in = 512;
    const int64_t row_bytes = weight_row_bytes(format, n_in);
    std::vector<uint8_t> rows(n_out * row_bytes, 0xFF);
    const uint16_t one = 0x3C00;  // fp16 1.0
    const int64_t block_bytes = row_bytes * weight_block_elements(format) / n_in;
    for (int64_t b = 0; b < n_out * n_in / weight_block_elements(format); ++b) {
      uint8_t* block = rows.data() + b * block_bytes;
      if (format == WeightFormat::q4_0) {
        reinterpret_cast<BlockQ4_0*>(block)->d = one;  // quants 15
      } else if (format == WeightFormat::q8_0) {
        auto* q8 = reinterpret_cast<BlockQ8_0*>(block);
        q8->d = one;
        std::fill(std::begin(q8->qs), std::end(q8->qs), int8_t{-128});  // |w| = 128 only through the sign trick
      } else {
        auto* q4 = reinterpret_cast<BlockQ4_K*>(block);
        q4->d = q4->dmin = one;  // scales and mins 63, quants 15
      }
    }
    const std::vector<float> x(n_in, 4.0f);
    const ActivationFormat activation = activation_format_of(format);
    ActivationStorage quantized(1, n_in);
    table().quantize_fn(activation)(x.data(), n_in, 1, quantized.view, 0);
    const std::vector<float> want =
        testing::reference_linear(format, rows.data(), n_out, {testing::dequantized_activation(quantized.view, activation, 0)}, n_in);
    std::vector<uint8_t> group(n_out * row_bytes);
    interleave_group(format, rows.data(), row_bytes, group.data());
    std::vector<float> got(n_out);
    table().quant_fn(format).gemv_interleaved(group.data(), row_bytes, n_out, quantized.view, 0, 1, got.data(), n_out);
    EXPECT_LE(normalized_mse(got.data(), want.data(), n_out), kKernelBound) << format_name(format);
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, InterleavedGemvKernels, ::testing::ValuesIn(isas_with_interleaved_kernels()), testing::isa_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(InterleavedGemvKernels);

// The op on an interleaved matrix against the op on the stored rows, with the scalar kernels on one thread:
// one token (interleaved kernels), 3 (interleaved, several tokens), 300 (panels from de-interleaved rows),
// both numerics, and the scalar table itself (rows de-interleaved for its row kernels).
TEST(InterleavedLinearOp, MatchesTheStoredRowsOnEveryPath) {
  ThreadPool one(1);
  const OpContext reference{&one, &testing::reference_kernels()};
  for (WeightFormat format : kInterleavedFormats) {
    for (Shape s : {Shape{1, 96, 1536}, Shape{3, 40, 512}, Shape{300, 24, 512}}) {
      const testing::Bytes rows = testing::random_weights(format, s.n_out, s.n_in, 33);
      const testing::Floats x = testing::random_floats(s.n_tokens * s.n_in, 0, -2, 2, 34);
      const WeightMatrix stored{format, rows.data(), s.n_out, s.n_in};
      ThreadPool pool(2);
      std::vector<uint8_t> interleaved_bytes(s.n_out * weight_row_bytes(format, s.n_in));
      const WeightMatrix interleaved = interleave_into({&pool, &active_kernels()}, stored, interleaved_bytes.data());
      for (LinearNumerics numerics : {LinearNumerics::as_stored, LinearNumerics::f32_dequant}) {
        std::vector<float> want(s.n_tokens * s.n_out);
        linear(reference, x.data(), s.n_tokens, stored, want.data(), numerics);
        for (const OpContext& ctx : {OpContext{&pool, &active_kernels()}, reference}) {
          std::vector<float> got(s.n_tokens * s.n_out);
          linear(ctx, x.data(), s.n_tokens, interleaved, got.data(), numerics);
          EXPECT_LE(normalized_mse(got.data(), want.data(), got.size()), kOpBound)
              << format_name(format) << " tokens=" << s.n_tokens << " isa=" << static_cast<int>(ctx.kernels->isa)
              << (numerics == LinearNumerics::as_stored ? " as_stored" : " f32_dequant");
        }
      }
    }
  }
}

}  // namespace
}  // namespace hearth::cpu
