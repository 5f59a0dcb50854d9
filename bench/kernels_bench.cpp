// Micro benchmark of the CPU compute core: the machine's memory read bandwidth and FMA peak, measured
// here on all pool threads, and F32/F16/BF16 linear layers and attention printed as fractions of those
// limits (decode is bandwidth-bound, prefill compute-bound).
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "attention_bench.h"
#include "cpu/cpu_features.h"
#include "cpu/ops.h"
#include "machine_limits.h"
#include "quant_linear_bench.h"
#include "tensor/fp16.h"
#include "timing.h"

namespace hearth::bench {
namespace {

// 256 MiB: 8× the 32 MiB L3 of this machine class, so the sum streams from DRAM.
double read_bandwidth_gbs(cpu::ThreadPool& pool) {
  const int64_t n = int64_t{64} << 20;
  std::vector<float> values(n, 1.0f);
  std::vector<float> sinks(pool.size());
  const double seconds = best_seconds(10, [&] {
    pool.parallel_for(pool.size(), [&](int64_t task, int thread) {
      const int64_t begin = n * task / pool.size() / 32 * 32;
      const int64_t end = n * (task + 1) / pool.size() / 32 * 32;
      sinks[thread] += stream_sum_avx2(values.data() + begin, end - begin);
    });
  });
  return static_cast<double>(n) * sizeof(float) / seconds / 1e9;
}

double fma_peak_gflops(cpu::ThreadPool& pool) {
  const int64_t iterations = 20'000'000;
  std::vector<float> sinks(pool.size());
  const double seconds = best_seconds(3, [&] {
    pool.parallel_for(pool.size(), [&](int64_t, int thread) { sinks[thread] += fma_loop_avx2(iterations); });
  });
  const double flops = 2.0 * 8 * kFmaChains * static_cast<double>(iterations) * pool.size();
  return flops / seconds / 1e9;
}

struct Weights {
  cpu::WeightFormat format;
  std::vector<float> f32;
  std::vector<uint16_t> halves;
  const void* data() const { return format == cpu::WeightFormat::f32 ? static_cast<const void*>(f32.data()) : halves.data(); }
  double bytes() const { return format == cpu::WeightFormat::f32 ? f32.size() * 4.0 : halves.size() * 2.0; }
};

Weights random_weights(cpu::WeightFormat format, int64_t count) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  Weights w{format, {}, {}};
  for (int64_t i = 0; i < count; ++i) {
    const float v = dist(rng);
    if (format == cpu::WeightFormat::f32) w.f32.push_back(v);
    if (format == cpu::WeightFormat::f16) w.halves.push_back(f32_to_fp16(v));
    if (format == cpu::WeightFormat::bf16) w.halves.push_back(f32_to_bf16(v));
  }
  return w;
}

void bench_linear(const cpu::OpContext& ctx, double bandwidth_gbs, double peak_gflops) {
  constexpr int64_t kDim = 4096;
  constexpr int64_t kPrefillTokens = 512;
  const char* names[] = {"F32", "F16", "BF16"};
  std::vector<float> x(kPrefillTokens * kDim, 0.5f), y(kPrefillTokens * kDim);
  for (cpu::WeightFormat format : {cpu::WeightFormat::f32, cpu::WeightFormat::f16, cpu::WeightFormat::bf16}) {
    const Weights w = random_weights(format, kDim * kDim);
    const cpu::WeightMatrix matrix{format, w.data(), kDim, kDim};
    const size_t n_copies = dram_copies(w.bytes());
    const std::vector<Weights> copies(n_copies, w);
    size_t next_copy = 0;
    const double decode = best_seconds(10, [&] {
      const Weights& copy = copies[next_copy++ % n_copies];
      cpu::linear(ctx, x.data(), 1, {format, copy.data(), kDim, kDim}, y.data());
    });
    const double decode_gbs = w.bytes() / decode / 1e9;
    std::printf("linear %-4s 1x4096x4096    %8.3f ms  %7.1f GB/s weights   %5.2f of bandwidth\n",
                names[static_cast<int>(format)], decode * 1e3, decode_gbs, decode_gbs / bandwidth_gbs);
    const double prefill = best_seconds(2, [&] { cpu::linear(ctx, x.data(), kPrefillTokens, matrix, y.data()); });
    const double gflops = 2.0 * kPrefillTokens * kDim * kDim / prefill / 1e9;
    std::printf("linear %-4s 512x4096x4096  %8.1f ms  %7.1f GFLOP/s          %5.2f of FMA peak\n",
                names[static_cast<int>(format)], prefill * 1e3, gflops, gflops / peak_gflops);
  }
}

}  // namespace
}  // namespace hearth::bench

int main() {
  using namespace hearth;
  if (!cpu::cpu_supports(cpu::Isa::avx2)) {
    std::printf("kernels_bench measures the machine limits with AVX2 loops; this CPU has no AVX2\n");
    return 1;
  }
  const cpu::OpContext ctx = cpu::default_op_context();
  std::printf("kernels: %s, threads: %d\n", std::string(cpu::isa_name(ctx.kernels->isa)).c_str(), ctx.pool->size());
  const double bandwidth = bench::read_bandwidth_gbs(*ctx.pool);
  const double peak = bench::fma_peak_gflops(*ctx.pool);
  std::printf("memory read bandwidth      %7.1f GB/s\n", bandwidth);
  std::printf("FMA peak (f32)             %7.1f GFLOP/s\n", peak);
  bench::bench_linear(ctx, bandwidth, peak);
  bench::bench_quant_linear(ctx, bandwidth, peak);
  bench::bench_attention(ctx, bandwidth, peak);
  return 0;
}
