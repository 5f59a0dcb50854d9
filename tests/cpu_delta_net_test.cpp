// The gated delta net (cpu/delta_net.h): the step kernel of every table against the scalar one, the op on every
// table against the scalar op, the chunked prefill form against the token-by-token recurrence (outputs and
// final states, across chunk boundaries), and both key-head mappings.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/delta_net.h"
#include "support/cpu_kernel_testing.h"

namespace hearth::cpu {
namespace {

using testing::Floats;
using testing::normalized_mse;
using testing::random_floats;
using testing::reference_kernels;

// f32 against double dot products, compounded over the steps of a sequence.
constexpr double kStepBound = 1e-10;
// The chunked form reassociates every sum of the recurrence (and runs f32 exponentials of partial sums).
constexpr double kChunkedBound = 1e-11;

std::vector<Isa> all_runnable_isas() {
  std::vector<Isa> isas = {Isa::scalar};
  for (Isa isa : testing::runnable_simd_isas()) isas.push_back(isa);
  return isas;
}

// Inputs as the layer produces them: rows [q | k | v] of the conv output (plus padding, so strides differ from
// widths), q and k L2-normalised per head, q × 1/√d_k, β ∈ (0, 1), g ∈ [−2, 0].
struct Problem {
  DeltaNetShape shape;
  int64_t row_width;
  std::vector<float> rows, beta, g, initial_state;

  Problem(DeltaNetShape s, uint32_t seed) : shape(s), row_width(2 * s.n_k_heads * s.d_k + s.n_v_heads * s.d_v + 3) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1, 1), unit(0, 1);
    const int64_t n_rows = s.n_seqs * s.n_tokens;
    rows.resize(n_rows * row_width);
    for (float& x : rows) x = uniform(rng);
    for (int64_t r = 0; r < n_rows; ++r) {
      for (int64_t head = 0; head < 2 * s.n_k_heads; ++head) {  // the q heads, then the k heads
        float* x = rows.data() + r * row_width + head * s.d_k;
        double norm = 0.0;
        for (int64_t i = 0; i < s.d_k; ++i) norm += static_cast<double>(x[i]) * x[i];
        const double factor =
            (head < s.n_k_heads ? 1.0 / std::sqrt(static_cast<double>(s.d_k)) : 1.0) / std::sqrt(norm);
        for (int64_t i = 0; i < s.d_k; ++i) x[i] = static_cast<float>(x[i] * factor);
      }
    }
    for (int64_t i = 0; i < n_rows * s.n_v_heads; ++i) {
      beta.push_back(unit(rng));
      g.push_back(-2.0f * unit(rng));
    }
    initial_state.resize(s.n_seqs * s.n_v_heads * s.d_v * s.d_k);
    for (float& x : initial_state) x = 0.1f * uniform(rng);
  }

  DeltaNetInputs inputs() const {
    const float* q = rows.data();
    const float* k = q + shape.n_k_heads * shape.d_k;
    const float* v = k + shape.n_k_heads * shape.d_k;
    return {q, row_width, k, row_width, v, row_width, beta.data(), g.data()};
  }
  int64_t out_size() const { return shape.n_seqs * shape.n_tokens * shape.n_v_heads * shape.d_v; }
};

struct Result {
  std::vector<float> out, state;
};

Result run(const OpContext& ctx, const Problem& p, DeltaNetForm form) {
  Result r{std::vector<float>(p.out_size()), p.initial_state};
  gated_delta_net(ctx, p.shape, p.inputs(), form, r.state.data(), r.out.data());
  return r;
}

class CpuDeltaNet : public ::testing::TestWithParam<Isa> {
 protected:
  CpuDeltaNet() : pool_(3), ctx_{&pool_, kernels_for(GetParam())}, reference_ctx_{&pool_, &reference_kernels()} {}
  const Kernels& kernels() const { return *ctx_.kernels; }
  ThreadPool pool_;
  OpContext ctx_;
  OpContext reference_ctx_;
};

TEST_P(CpuDeltaNet, StepKernelAgainstScalar) {
  for (int64_t d_k : {7, 33, 128}) {
    for (int64_t d_v : {7, 33, 128}) {
      for (int64_t offset : testing::kOffsets) {
        const Floats q = random_floats(d_k, offset, -0.3f, 0.3f, 1);
        const Floats k = random_floats(d_k, offset, -0.3f, 0.3f, 2);
        const Floats v = random_floats(d_v, offset, -1, 1, 3);
        Floats want_state = random_floats(d_v * d_k, offset, -1, 1, 4);
        Floats got_state = random_floats(d_v * d_k, offset, -1, 1, 4);
        std::vector<float> want(d_v), got(d_v);
        for (int step = 0; step < 5; ++step) {
          reference_kernels().delta_net_step(want_state.data(), q.data(), k.data(), v.data(), 0.7f, 0.9f, d_k, d_v,
                                             want.data());
          kernels().delta_net_step(got_state.data(), q.data(), k.data(), v.data(), 0.7f, 0.9f, d_k, d_v, got.data());
        }
        const std::string what = "d_k=" + std::to_string(d_k) + " d_v=" + std::to_string(d_v);
        EXPECT_LE(normalized_mse(got.data(), want.data(), d_v), kStepBound) << what;
        EXPECT_LE(normalized_mse(got_state.data(), want_state.data(), d_v * d_k), kStepBound) << what;
      }
    }
  }
}

TEST_P(CpuDeltaNet, RecurrentOpAgainstScalar) {
  const Problem p({2, 33, 2, 4, 128, 128, KeyHeadMapping::grouped}, 5);
  const Result want = run(reference_ctx_, p, DeltaNetForm::recurrent);
  const Result got = run(ctx_, p, DeltaNetForm::recurrent);
  EXPECT_LE(normalized_mse(got.out.data(), want.out.data(), p.out_size()), kStepBound);
  EXPECT_LE(normalized_mse(got.state.data(), want.state.data(), static_cast<int64_t>(want.state.size())), kStepBound);
}

// llama.cpp evaluates prompts in the chunked form and decodes with the recurrence: both must agree, for
// lengths inside one chunk, at its edge and across several.
TEST_P(CpuDeltaNet, ChunkedFormEqualsRecurrence) {
  for (int64_t n_tokens : {1, 7, 33, 64, 130}) {
    for (KeyHeadMapping mapping : {KeyHeadMapping::grouped, KeyHeadMapping::tiled}) {
      const Problem p({2, n_tokens, 2, 4, 64, 32, mapping}, 6);
      const Result sequential = run(ctx_, p, DeltaNetForm::recurrent);
      const Result chunked = run(ctx_, p, DeltaNetForm::chunked);
      const std::string what =
          "n=" + std::to_string(n_tokens) + (mapping == KeyHeadMapping::tiled ? " tiled" : " grouped");
      EXPECT_LE(normalized_mse(chunked.out.data(), sequential.out.data(), p.out_size()), kChunkedBound) << what;
      EXPECT_LE(
          normalized_mse(chunked.state.data(), sequential.state.data(), static_cast<int64_t>(sequential.state.size())),
          kChunkedBound)
          << what;
    }
  }
}

// Value head h reads key head h / 2 (grouped) or h mod 2 (tiled) with 2 key heads and 4 value heads: each
// head's output equals a one-head problem over the key head the spec names.
TEST_P(CpuDeltaNet, KeyHeadMappings) {
  for (KeyHeadMapping mapping : {KeyHeadMapping::grouped, KeyHeadMapping::tiled}) {
    const Problem p({1, 5, 2, 4, 16, 8, mapping}, 7);
    const Result all = run(ctx_, p, DeltaNetForm::recurrent);
    for (int64_t h = 0; h < 4; ++h) {
      const int64_t k_head = mapping == KeyHeadMapping::grouped ? h / 2 : h % 2;
      DeltaNetInputs in = p.inputs();
      in.q += k_head * 16;
      in.k += k_head * 16;
      in.v += h * 8;
      std::vector<float> beta, g;
      for (int64_t t = 0; t < 5; ++t) {
        beta.push_back(p.beta[t * 4 + h]);
        g.push_back(p.g[t * 4 + h]);
      }
      in.beta = beta.data();
      in.g = g.data();
      std::vector<float> state(p.initial_state.begin() + h * 8 * 16, p.initial_state.begin() + (h + 1) * 8 * 16);
      std::vector<float> out(5 * 8);
      gated_delta_net(ctx_, {1, 5, 1, 1, 16, 8, KeyHeadMapping::grouped}, in, DeltaNetForm::recurrent, state.data(),
                      out.data());
      for (int64_t t = 0; t < 5; ++t) {
        for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(out[t * 8 + i], all.out[(t * 4 + h) * 8 + i]) << "head " << h;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, CpuDeltaNet, ::testing::ValuesIn(all_runnable_isas()), testing::isa_test_name);

}  // namespace
}  // namespace hearth::cpu
