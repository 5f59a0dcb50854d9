#include "quant_linear_bench.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cpu/huge_page_arena.h"
#include "cpu/interleaved_weights.h"
#include "cpu/weight_formats.h"
#include "tensor/quants.h"
#include "timing.h"

namespace hearth::bench {
namespace {

const char* name_of(cpu::WeightFormat format) { return type_info(cpu::tensor_type_of(format)).name.data(); }

constexpr cpu::WeightFormat kFormats[] = {
    cpu::WeightFormat::q8_0, cpu::WeightFormat::q4_0, cpu::WeightFormat::q4_k, cpu::WeightFormat::q6_k,
    cpu::WeightFormat::q5_k, cpu::WeightFormat::iq4_nl, cpu::WeightFormat::q4_1, cpu::WeightFormat::q5_0,
    cpu::WeightFormat::q5_1, cpu::WeightFormat::q2_k, cpu::WeightFormat::q3_k, cpu::WeightFormat::iq4_xs,
    cpu::WeightFormat::mxfp4,
};

// The matrices of one E2B decode step (n_out × n_in): attention query, the MLP's up / gate and down, and the
// output head over the 262144-token vocabulary. Short rows (1536 inputs: 6 super-blocks) make per-row and
// per-call costs weigh more than in the 4096-wide shapes.
constexpr std::pair<int64_t, int64_t> kE2bDecodeShapes[] = {{2048, 1536}, {6144, 1536}, {1536, 6144}, {262144, 1536}};

// n_out rows of n_in weights: 64 distinct quantized Gaussian rows repeated (the reference K-quant quantizer
// is too slow for whole matrices; speed does not depend on the values). MXFP4, which hearth does not
// quantize, gets random codes with exponents near 2^0.
std::vector<uint8_t> make_weights(cpu::WeightFormat format, int64_t n_out, int64_t n_in) {
  constexpr int64_t kDistinctRows = 64;
  const int64_t row_bytes = cpu::weight_row_bytes(format, n_in);
  std::vector<uint8_t> distinct(kDistinctRows * row_bytes);
  std::mt19937 rng(1);
  if (format == cpu::WeightFormat::mxfp4) {
    std::uniform_int_distribution<int> byte(0, 255), exponent(120, 130);
    for (size_t i = 0; i < distinct.size(); ++i) distinct[i] = static_cast<uint8_t>(i % 17 == 0 ? exponent(rng) : byte(rng));
  } else {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> row(n_in);
    for (int64_t r = 0; r < kDistinctRows; ++r) {
      for (float& v : row) v = normal(rng);
      if (!quantize_row(cpu::tensor_type_of(format), row.data(), distinct.data() + r * row_bytes, n_in)) std::abort();
    }
  }
  std::vector<uint8_t> weights(n_out * row_bytes);
  for (int64_t r = 0; r < n_out; ++r) std::copy_n(distinct.begin() + r % kDistinctRows * row_bytes, row_bytes, weights.begin() + r * row_bytes);
  return weights;
}

std::string shape_name(cpu::WeightFormat format, int64_t n_tokens, int64_t n_out, int64_t n_in) {
  return "linear " + std::string(name_of(format)) + " " + std::to_string(n_tokens) + "x" + std::to_string(n_out) + "x" +
         std::to_string(n_in);
}

// Cycles through copies of the weights (dram_copies) so that every timed call reads them from DRAM. The
// copies sit on huge pages as the text models place their matrices at load (cpu/resident_weights.h), and
// with `interleaved` they are repacked as there.
void bench_decode(const cpu::OpContext& ctx, const BenchOptions& options, cpu::WeightFormat format, int64_t n_tokens,
                  int64_t n_out, int64_t n_in, bool interleaved, const MachineLimits& limits) {
  const std::string name = shape_name(format, n_tokens, n_out, n_in) + (interleaved ? " x8" : "");
  if (!options.wants(name)) return;
  const std::vector<uint8_t> weights = make_weights(format, n_out, n_in);
  const auto bytes = static_cast<double>(weights.size());
  const size_t n_copies = dram_copies(bytes);
  cpu::HugePageArena arena(n_copies * cpu::HugePageArena::footprint(weights.size()));
  if (!arena.ok()) std::abort();
  std::vector<cpu::WeightMatrix> matrices;
  for (size_t c = 0; c < n_copies; ++c) {
    const cpu::WeightMatrix rows{format, weights.data(), n_out, n_in};
    uint8_t* target = arena.allocate(weights.size());
    if (interleaved) {
      matrices.push_back(cpu::interleave_into(ctx, rows, target));
    } else {
      std::copy(weights.begin(), weights.end(), target);
      matrices.push_back({format, target, n_out, n_in});
    }
  }
  std::vector<float> x(n_tokens * n_in), y(n_tokens * n_out);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (float& v : x) v = dist(rng);
  size_t next_copy = 0;
  const BandwidthTiming t = time_bandwidth_runs(options.repeats(std::max<int>(10, 2 * n_copies)), bytes, *limits.probe,
                                                limits.probe_streams, [&] {
    cpu::linear(ctx, x.data(), n_tokens, matrices[next_copy++ % matrices.size()], y.data(), cpu::LinearNumerics::as_stored);
  });
  print_decode(name, bytes, t, limits);
}

void bench_prefill(const cpu::OpContext& ctx, const BenchOptions& options, cpu::WeightFormat format, const MachineLimits& limits) {
  constexpr int64_t kTokens = 512, kDim = 4096;
  const std::string name = shape_name(format, kTokens, kDim, kDim);
  if (!options.wants(name)) return;
  const std::vector<uint8_t> weights = make_weights(format, kDim, kDim);
  std::vector<float> x(kTokens * kDim), y(kTokens * kDim);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (float& v : x) v = dist(rng);
  const cpu::WeightMatrix matrix{format, weights.data(), kDim, kDim};
  const Timing t = time_runs(options.repeats(2), [&] { cpu::linear(ctx, x.data(), kTokens, matrix, y.data(), cpu::LinearNumerics::as_stored); });
  const double gflops = 2.0 * kTokens * kDim * kDim / t.best / 1e9;
  std::printf("%-30s %9.1f ms (median %9.1f)  %7.1f GFLOP/s     %5.2f of FMA peak, %4.2f of int8 peak\n", name.c_str(),
              t.best * 1e3, t.median * 1e3, gflops, gflops / limits.fma_gflops, gflops / limits.int8_gops);
}

}  // namespace

void bench_quant_linear(const cpu::OpContext& ctx, const BenchOptions& options, const MachineLimits& limits) {
  for (cpu::WeightFormat format : kFormats) {
    // The row layout, then (where the kernels have one) the interleaved layout the text models decode with.
    const bool has_interleaved = cpu::worth_interleaving({format, nullptr, 4096, 4096}, *ctx.kernels);
    for (bool interleaved : {false, true}) {
      if (interleaved && !has_interleaved) continue;
      bench_decode(ctx, options, format, 1, 4096, 4096, interleaved, limits);
      bench_decode(ctx, options, format, 1, 16384, 4096, interleaved, limits);
      bench_decode(ctx, options, format, 4, 4096, 4096, interleaved, limits);
      for (const auto& [n_out, n_in] : kE2bDecodeShapes) bench_decode(ctx, options, format, 1, n_out, n_in, interleaved, limits);
    }
    bench_prefill(ctx, options, format, limits);
  }
}

}  // namespace hearth::bench
