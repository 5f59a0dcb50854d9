// Fused attention (cpu/attention.h): the online-softmax op on every kernel table against the reference built
// from primitives, over decode and prefill shapes, F32 and F16 caches, every mask policy, several sequences
// in one batch and misaligned buffers; and the visibility rule itself against the specs' examples.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/attention.h"
#include "support/cpu_kernel_testing.h"
#include "tensor/fp16.h"

namespace hearth::cpu {
namespace {

using testing::Floats;
using testing::normalized_mse;
using testing::random_floats;

// f32 sums over up to 4097 keys and polynomial exponentials against the reference's double sums.
constexpr double kAttentionBound = 1e-11;

struct Shape {
  int64_t n_tokens, n_head, n_kv_head, head_dim, n_kv;
};

// A cache with random K/V, and queries; by default one sequence whose new tokens are the last cells
// (positions 0 … n_kv − 1), the layout of a prefill or decode step.
struct Case {
  Shape shape;
  KvFormat format;
  Floats q, k, v;
  std::vector<uint16_t> k_halves, v_halves;  // `halves_offset` elements of padding in front: misaligned rows
  int64_t halves_offset = 0;
  std::vector<int32_t> q_positions, q_seqs, kv_positions;
  std::vector<uint64_t> kv_seqs;

  Case(Shape s, KvFormat f, int64_t offset, uint32_t seed)
      : shape(s),
        format(f),
        q(random_floats(s.n_tokens * s.n_head * s.head_dim, offset, -1, 1, seed)),
        k(random_floats(s.n_kv * s.n_kv_head * s.head_dim, offset, -1, 1, seed + 1)),
        v(random_floats(s.n_kv * s.n_kv_head * s.head_dim, offset, -1, 1, seed + 2)) {
    if (format == KvFormat::f16) {
      const int64_t n = s.n_kv * s.n_kv_head * s.head_dim;
      k_halves.assign(n + offset, 0);
      v_halves.assign(n + offset, 0);
      for (int64_t i = 0; i < n; ++i) {
        k_halves[offset + i] = f32_to_fp16(k[i]);
        v_halves[offset + i] = f32_to_fp16(v[i]);
      }
      halves_offset = offset;
    }
    for (int64_t j = 0; j < s.n_kv; ++j) {
      kv_positions.push_back(static_cast<int32_t>(j));
      kv_seqs.push_back(1);
    }
    for (int64_t t = 0; t < s.n_tokens; ++t) {
      q_positions.push_back(static_cast<int32_t>(s.n_kv - s.n_tokens + t));
      q_seqs.push_back(0);
    }
  }

  AttentionQueries queries() const {
    return {q.data(), shape.n_tokens, shape.n_head, shape.head_dim, q_positions.data(), q_seqs.data()};
  }
  KvCacheView cache() const {
    const void* k_data = format == KvFormat::f32 ? static_cast<const void*>(k.data()) : k_halves.data() + halves_offset;
    const void* v_data = format == KvFormat::f32 ? static_cast<const void*>(v.data()) : v_halves.data() + halves_offset;
    return {format, k_data, v_data, shape.n_kv, shape.n_kv_head, kv_positions.data(), kv_seqs.data()};
  }
};

std::vector<Isa> all_runnable_isas() {
  std::vector<Isa> isas = {Isa::scalar};
  for (Isa isa : testing::runnable_simd_isas()) isas.push_back(isa);
  return isas;
}

std::string describe(const Shape& s, KvFormat format) {
  return "tokens=" + std::to_string(s.n_tokens) + " heads=" + std::to_string(s.n_head) + "/" +
         std::to_string(s.n_kv_head) + " dim=" + std::to_string(s.head_dim) + " kv=" + std::to_string(s.n_kv) +
         (format == KvFormat::f16 ? " f16" : " f32");
}

// Every table on a 3-thread pool: more threads than this machine's cores, an odd split of heads and keys.
class CpuAttention : public ::testing::TestWithParam<Isa> {
 protected:
  CpuAttention() : pool_(3), ctx_{&pool_, kernels_for(GetParam())}, reference_ctx_{&pool_, kernels_for(Isa::scalar)} {}

  void expect_matches_reference(const Case& c, const AttentionParams& params, const std::string& what) {
    const int64_t n_out = c.shape.n_tokens * c.shape.n_head * c.shape.head_dim;
    std::vector<float> want(n_out), got(n_out, std::nanf(""));
    attention_reference(reference_ctx_, c.queries(), c.cache(), params, want.data());
    attention(ctx_, c.queries(), c.cache(), params, got.data());
    EXPECT_LE(normalized_mse(got.data(), want.data(), n_out), kAttentionBound)
        << what << " " << describe(c.shape, c.format);
  }

  ThreadPool pool_;
  OpContext ctx_;
  OpContext reference_ctx_;
};

TEST_P(CpuAttention, DecodeOverEveryCacheLengthAndHeadDim) {
  // The formats form a checkerboard over the grid, so both meet every length and head dim while the
  // reference stays cheap.
  const int64_t lengths[] = {1, 7, 257, 4097};
  const int64_t head_dims[] = {64, 128, 256, 512};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const Case c({1, 4, 2, head_dims[j], lengths[i]}, (i + j) % 2 == 0 ? KvFormat::f32 : KvFormat::f16, 1, 10);
      AttentionParams params;
      params.scale = 1.0f / std::sqrt(static_cast<float>(head_dims[j]));
      expect_matches_reference(c, params, "decode");
    }
  }
}

// One KV head for all query heads: decode then splits the keys over tasks and merges the partial results.
TEST_P(CpuAttention, DecodeWithOneKvHeadSplitsKeys) {
  for (KvFormat format : {KvFormat::f32, KvFormat::f16}) {
    const Case c({1, 8, 1, 256, 4097}, format, 0, 20);
    expect_matches_reference(c, AttentionParams{}, "scale 1");
    AttentionParams window;  // segments that see nothing must not spoil the merge
    window.scale = 0.0625f;
    window.mask.sliding_window = 100;
    expect_matches_reference(c, window, "window 100");
  }
}

TEST_P(CpuAttention, PrefillShapes) {
  for (int64_t n_tokens : {7, 33}) {
    for (int64_t n_kv : {33, 257}) {
      for (int64_t head_dim : {64, 128, 256}) {
        for (int64_t offset : testing::kOffsets) {
          const Case c({n_tokens, 6, 2, head_dim, n_kv}, offset == 0 ? KvFormat::f32 : KvFormat::f16, offset, 30);
          AttentionParams params;
          params.scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
          expect_matches_reference(c, params, "prefill offset=" + std::to_string(offset));
        }
      }
    }
  }
}

// Head dims that are not a multiple of the register slices: vector tails in both score and sum kernels.
TEST_P(CpuAttention, OddHeadDims) {
  for (int64_t head_dim : {36, 72, 100}) {
    for (int64_t n_head : {1, 3, 4}) {
      const Case c({7, n_head, 1, head_dim, 70}, KvFormat::f32, 1, 35);
      expect_matches_reference(c, AttentionParams{}, "odd head dim");
    }
  }
}

TEST_P(CpuAttention, EveryMaskPolicy) {
  const Case c({33, 4, 4, 64, 300}, KvFormat::f16, 1, 40);
  AttentionParams params;
  params.scale = 0.125f;
  expect_matches_reference(c, params, "causal");
  params.mask.sliding_window = 20;
  expect_matches_reference(c, params, "sliding window");
  params.mask.sliding_window = 0;
  params.mask.chunk_size = 16;
  expect_matches_reference(c, params, "chunked");
  params.mask.chunk_size = 0;
  const BidirectionalRange image{0, 270, 290};
  params.mask.bidirectional = &image;
  params.mask.n_bidirectional = 1;
  expect_matches_reference(c, params, "bidirectional range");
  params.mask.sliding_window = 12;
  expect_matches_reference(c, params, "bidirectional range with window");
}

// Gemma 4 audio: softcap 50, a 12-key window and a relative-position bias over 13 distances.
TEST_P(CpuAttention, SoftcapAndRelativeBias) {
  const Case c({33, 8, 8, 128, 33}, KvFormat::f32, 0, 50);
  const Floats bias = random_floats(33 * 8 * 13, 0, -20, 20, 51);
  AttentionParams params;
  params.scale = 3.0f;  // large logits, so the cap bends them
  params.softcap = 50.0f;
  params.mask.sliding_window = 12;
  params.relative_bias = bias.data();
  params.n_relative = 13;
  expect_matches_reference(c, params, "audio");
}

// Two sequences interleaved in one cache with an empty cell and a cell shared by both (a common prefix);
// the batch mixes a decode token of one with prefill tokens of the other.
TEST_P(CpuAttention, SequencesShareOneBatch) {
  Case c({9, 4, 2, 128, 200}, KvFormat::f16, 0, 60);
  for (int64_t j = 0; j < c.shape.n_kv; ++j) {
    c.kv_seqs[j] = j < 10 ? 0b11 : (j % 2 == 0 ? 0b01 : 0b10);
    c.kv_positions[j] = static_cast<int32_t>(j < 10 ? j : 10 + (j - 10) / 2);
  }
  c.kv_seqs[57] = 0;
  for (int64_t t = 0; t < c.shape.n_tokens; ++t) {
    c.q_seqs[t] = t == 0 ? 0 : 1;
    c.q_positions[t] = t == 0 ? 104 : static_cast<int32_t>(96 + t);
  }
  AttentionParams params;
  params.scale = 0.1f;
  expect_matches_reference(c, params, "two sequences");
  params.mask.sliding_window = 30;
  expect_matches_reference(c, params, "two sequences, window");
}

TEST_P(CpuAttention, QueryThatSeesNothingGetsZeros) {
  Case c({2, 2, 1, 64, 100}, KvFormat::f32, 0, 70);
  c.q_seqs = {0, 5};  // sequence 5 owns no cell
  std::vector<float> out(2 * 2 * 64, 1.0f);
  attention(ctx_, c.queries(), c.cache(), AttentionParams{}, out.data());
  for (int64_t i = 128; i < 256; ++i) ASSERT_EQ(out[i], 0.0f) << i;
  expect_matches_reference(c, AttentionParams{}, "no keys");
}

INSTANTIATE_TEST_SUITE_P(All, CpuAttention, ::testing::ValuesIn(all_runnable_isas()), testing::isa_test_name);

TEST(AttentionMask, SlidingWindowHoldsWKeysIncludingTheQuery) {
  AttentionMask mask;
  mask.sliding_window = 4;
  EXPECT_TRUE(attends(mask, 10, 0, 10, 1));
  EXPECT_TRUE(attends(mask, 10, 0, 7, 1));
  EXPECT_FALSE(attends(mask, 10, 0, 6, 1));
  EXPECT_FALSE(attends(mask, 10, 0, 11, 1));  // causal
}

TEST(AttentionMask, ChunkBoundaryCollapsesToTheNewToken) {
  AttentionMask mask;
  mask.chunk_size = 8192;
  EXPECT_TRUE(attends(mask, 8192, 0, 8192, 1));
  EXPECT_FALSE(attends(mask, 8192, 0, 8191, 1));
  EXPECT_TRUE(attends(mask, 8191, 0, 0, 1));
}

TEST(AttentionMask, SequencesAndBidirectionalRanges) {
  const BidirectionalRange image{2, 5, 9};
  AttentionMask mask;
  mask.bidirectional = &image;
  mask.n_bidirectional = 1;
  EXPECT_TRUE(attends(mask, 5, 2, 8, uint64_t{1} << 2));   // forward inside the image
  EXPECT_FALSE(attends(mask, 5, 1, 8, uint64_t{1} << 1));  // another sequence's positions
  EXPECT_FALSE(attends(mask, 5, 2, 9, uint64_t{1} << 2));  // past the image's end
  EXPECT_FALSE(attends(mask, 4, 2, 6, uint64_t{1} << 2));  // text before the image stays causal
  EXPECT_FALSE(attends(mask, 6, 2, 3, uint64_t{1} << 1));  // a cell of another sequence
  EXPECT_TRUE(attends(mask, 6, 2, 3, 0b110));              // a cell shared with it
}

}  // namespace
}  // namespace hearth::cpu
