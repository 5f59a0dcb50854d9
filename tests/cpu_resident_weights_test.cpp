// Load-time placement of decode matrices (cpu/resident_weights.h) and the arena under it: every matrix gets a
// copy that the linear op reads to the same results (repacked or as stored), shared data is copied once,
// each original is released once, and the arena never hands out memory past its capacity.
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/huge_page_arena.h"
#include "cpu/interleaved_weights.h"
#include "cpu/resident_weights.h"
#include "cpu/weight_formats.h"
#include "support/cpu_kernel_testing.h"
#include "support/quant_linear_testing.h"

namespace hearth::cpu {
namespace {

TEST(HugePageArena, AlignedAllocationsWithinItsCapacity) {
  HugePageArena arena(5000);
  ASSERT_TRUE(arena.ok());
  uint8_t* first = arena.allocate(100);
  uint8_t* second = arena.allocate(1);
  uint8_t* third = arena.allocate(4000);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_NE(third, nullptr);
  // The arena starts on a 2 MiB boundary, so a matrix at its start can sit on huge pages from its first byte.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % (uintptr_t{2} << 20), 0u);
  EXPECT_EQ(second - first, 128);
  EXPECT_EQ(third - second, 64);
  // The next allocation starts at 4224, the first multiple of 64 after the third.
  EXPECT_EQ(arena.allocate(5000 - 4224 + 1), nullptr);  // one byte past the capacity
  EXPECT_EQ(arena.allocate(5000 - 4224), first + 4224);  // exactly the rest
  EXPECT_EQ(arena.allocate(1), nullptr);
  std::memset(first, 0xAB, 5000);  // all of it is writable
}

TEST(HugePageArena, EmptyAndMovedFromArenasHandOutNothing) {
  HugePageArena empty;
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(empty.allocate(1), nullptr);
  HugePageArena zero(0);
  EXPECT_FALSE(zero.ok());
  HugePageArena source(64);
  HugePageArena target = std::move(source);
  EXPECT_FALSE(source.ok());  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
  EXPECT_EQ(source.allocate(1), nullptr);
  EXPECT_NE(target.allocate(64), nullptr);
}

struct Released {
  const void* data;
  size_t bytes;
};

// A format the kernels repack (Q4_K, when the active table has interleaved kernels), one they keep as rows
// (Q6_K, F16), a matrix sharing another's data, and an absent one.
TEST(ResidentWeights, EveryMatrixReadsTheSameFromItsCopy) {
  ThreadPool pool(2);
  const OpContext ctx{&pool, &active_kernels()};
  const int64_t n_in = 512;
  const testing::Bytes q4_k = testing::random_weights(WeightFormat::q4_k, 48, n_in, 1);
  const testing::Bytes q6_k = testing::random_weights(WeightFormat::q6_k, 24, n_in, 2);
  const testing::Floats f16_values = testing::random_floats(40 * n_in, 0, -1, 1, 3);
  std::vector<uint16_t> f16(40 * n_in);
  for (size_t i = 0; i < f16.size(); ++i) f16[i] = f32_to_fp16(f16_values.data()[i]);

  const std::vector<WeightMatrix> originals = {
      {WeightFormat::q4_k, q4_k.data(), 48, n_in},
      {WeightFormat::q6_k, q6_k.data(), 24, n_in},
      {WeightFormat::f16, f16.data(), 40, n_in},
      {WeightFormat::q6_k, q6_k.data(), 24, n_in},  // tied: the same data as the second
      {WeightFormat::q8_0, nullptr, 0, 0},          // absent
  };
  std::vector<WeightMatrix> placed_matrices = originals;
  std::vector<WeightMatrix*> pointers;
  for (WeightMatrix& m : placed_matrices) pointers.push_back(&m);
  std::vector<Released> released;
  const ResidentWeights placed = ResidentWeights::place(ctx, pointers, [&](const void* data, size_t bytes) { released.push_back({data, bytes}); });
  if (!repacking_enabled()) GTEST_SKIP() << "HEARTH_CPU_REPACK=0 keeps the weights in place";
  ASSERT_TRUE(placed.placed());

  ASSERT_EQ(released.size(), 3u);  // the tied matrix is copied and released once
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(released[i].data, originals[i].data);
    EXPECT_EQ(released[i].bytes, static_cast<size_t>(weight_row_bytes(originals[i].format, n_in) * originals[i].n_out));
  }
  EXPECT_EQ(placed_matrices[3].data, placed_matrices[1].data);
  EXPECT_EQ(placed_matrices[4].data, nullptr);
  EXPECT_EQ(placed_matrices[0].layout,
            worth_interleaving(originals[0], *ctx.kernels) ? WeightLayout::interleaved : WeightLayout::rows);
  EXPECT_EQ(placed_matrices[1].layout, WeightLayout::rows);
  EXPECT_EQ(placed_matrices[2].layout, WeightLayout::rows);

  const testing::Floats x = testing::random_floats(3 * n_in, 0, -2, 2, 4);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NE(placed_matrices[i].data, originals[i].data);
    for (int64_t n_tokens : {1, 3}) {
      std::vector<float> want(n_tokens * originals[i].n_out), got(want.size());
      linear(ctx, x.data(), n_tokens, originals[i], want.data(), LinearNumerics::as_stored);
      linear(ctx, x.data(), n_tokens, placed_matrices[i], got.data(), LinearNumerics::as_stored);
      EXPECT_LE(testing::normalized_mse(got.data(), want.data(), got.size()), 1e-11) << "matrix " << i << " tokens=" << n_tokens;
    }
  }
}

}  // namespace
}  // namespace hearth::cpu
