#include "quant_linear_bench.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

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

void bench_decode(const cpu::OpContext& ctx, cpu::WeightFormat format, int64_t n_out, int64_t n_in, double bandwidth_gbs) {
  const std::vector<uint8_t> weights = make_weights(format, n_out, n_in);
  const auto bytes = static_cast<double>(weights.size());
  const size_t n_copies = dram_copies(bytes);
  const std::vector<std::vector<uint8_t>> copies(n_copies, weights);
  std::vector<float> x(n_in, 0.5f), y(n_out);
  size_t next_copy = 0;
  const double seconds = best_seconds(10, [&] {
    const cpu::WeightMatrix matrix{format, copies[next_copy++ % n_copies].data(), n_out, n_in};
    cpu::linear(ctx, x.data(), 1, matrix, y.data(), cpu::LinearNumerics::as_stored);
  });
  const double gbs = bytes / seconds / 1e9;
  std::printf("linear %-6s 1x%ldx%ld   %8.3f ms  %7.1f GB/s weights   %5.2f of bandwidth\n",
              name_of(format), static_cast<long>(n_out), static_cast<long>(n_in), seconds * 1e3, gbs,
              gbs / bandwidth_gbs);
}

void bench_prefill(const cpu::OpContext& ctx, cpu::WeightFormat format, double peak_gflops) {
  constexpr int64_t kTokens = 512, kDim = 4096;
  const std::vector<uint8_t> weights = make_weights(format, kDim, kDim);
  std::vector<float> x(kTokens * kDim), y(kTokens * kDim);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (float& v : x) v = dist(rng);
  const cpu::WeightMatrix matrix{format, weights.data(), kDim, kDim};
  const double seconds = best_seconds(2, [&] { cpu::linear(ctx, x.data(), kTokens, matrix, y.data(), cpu::LinearNumerics::as_stored); });
  const double gflops = 2.0 * kTokens * kDim * kDim / seconds / 1e9;
  std::printf("linear %-6s 512x4096x4096   %8.1f ms  %7.1f GFLOP/s          %5.2f of FMA peak\n",
              name_of(format), seconds * 1e3, gflops, gflops / peak_gflops);
}

}  // namespace

void bench_quant_linear(const cpu::OpContext& ctx, double bandwidth_gbs, double peak_gflops) {
  for (cpu::WeightFormat format : kFormats) {
    bench_decode(ctx, format, 4096, 4096, bandwidth_gbs);
    bench_decode(ctx, format, 16384, 4096, bandwidth_gbs);
    bench_prefill(ctx, format, peak_gflops);
  }
}

}  // namespace hearth::bench
