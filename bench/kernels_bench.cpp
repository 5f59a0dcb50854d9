// Micro benchmark of the CPU compute core: the machine's memory read bandwidth, f32 FMA peak and int8
// dot-product peak, measured here on all pool threads, and linear layers and attention printed as fractions
// of those limits (decode is bandwidth-bound, prefill compute-bound).
//
// Usage: kernels_bench [--filter TEXT[,TEXT...]] [--quick]
//   --filter  run only the cases whose printed name contains one of the texts (e.g. "Q4_K 1x4096")
//   --quick   fewer repeats per case
// HEARTH_NUM_THREADS sets the thread count (1 gives one core's compute speed).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "attention_bench.h"
#include "bench_options.h"
#include "cpu/cpu_features.h"
#include "cpu/memory_bandwidth.h"
#include "cpu/ops.h"
#include "machine_limits.h"
#include "quant_linear_bench.h"
#include "tensor/fp16.h"
#include "timing.h"

namespace hearth::bench {
namespace {

// The bandwidth and the stream count per thread that reached it.
std::pair<double, int> read_bandwidth_gbs(cpu::ThreadPool& pool, const BenchOptions& options) {
  const cpu::ReadBandwidth bandwidth = cpu::measure_read_bandwidth(pool, options.repeats(4));
  std::printf("memory read bandwidth by streams per thread:");
  int best_streams = cpu::ReadBandwidth::kStreamCounts[0];
  for (size_t i = 0; i < bandwidth.by_streams.size(); ++i) {
    std::printf("  %d: %.1f", cpu::ReadBandwidth::kStreamCounts[i], bandwidth.by_streams[i] / 1e9);
    if (bandwidth.by_streams[i] == bandwidth.best) best_streams = cpu::ReadBandwidth::kStreamCounts[i];
  }
  std::printf(" GB/s\n");
  return {bandwidth.best / 1e9, best_streams};
}

// The machine's compute limits with the widest vectors it runs: AVX-512 (512-bit FMA, VNNI) where the
// kernels' avx512 level is supported, else AVX2. The kernels may use narrower vectors than these loops; the
// fractions then show what wider kernels could gain.
bool avx512_limits() {
#if defined(HEARTH_BENCH_HAS_AVX512)
  return cpu::cpu_supports(cpu::Isa::avx512);
#else
  return false;
#endif
}

double fma_peak_gflops(cpu::ThreadPool& pool, const BenchOptions& options) {
  const int64_t iterations = 20'000'000;
  const bool wide = avx512_limits();
  std::vector<float> sinks(pool.size());
  const Timing t = time_runs(options.repeats(4), [&] {
    pool.parallel_for(pool.size(), [&](int64_t, int thread) {
      sinks[thread] += wide ? fma_loop_avx512(iterations) : fma_loop_avx2(iterations);
    });
  });
  const double lanes = wide ? 16 : 8;
  const double flops = 2.0 * lanes * kFmaChains * static_cast<double>(iterations) * pool.size();
  return flops / t.best / 1e9;
}

double int8_peak_gops(cpu::ThreadPool& pool, const BenchOptions& options) {
  const int64_t iterations = 20'000'000;
  const bool wide = avx512_limits();
  std::vector<int32_t> sinks(pool.size());
  const Timing t = time_runs(options.repeats(4), [&] {
    pool.parallel_for(pool.size(), [&](int64_t, int thread) {
      sinks[thread] += wide ? int8_dot_loop_avx512(iterations) : int8_dot_loop_avx2(iterations);
    });
  });
  const double products = wide ? 64 : 32;
  const double ops = 2.0 * products * kDotChains * static_cast<double>(iterations) * pool.size();
  return ops / t.best / 1e9;
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

void bench_float_linear(const cpu::OpContext& ctx, const BenchOptions& options, const MachineLimits& limits) {
  constexpr int64_t kDim = 4096;
  constexpr int64_t kPrefillTokens = 512;
  const char* names[] = {"F32", "F16", "BF16"};
  std::vector<float> x(kPrefillTokens * kDim, 0.5f), y(kPrefillTokens * kDim);
  for (cpu::WeightFormat format : {cpu::WeightFormat::f32, cpu::WeightFormat::f16, cpu::WeightFormat::bf16}) {
    const std::string name = names[static_cast<int>(format)];
    const std::string decode_name = "linear " + name + " 1x4096x4096";
    const std::string prefill_name = "linear " + name + " 512x4096x4096";
    if (!options.wants(decode_name) && !options.wants(prefill_name)) continue;
    const Weights w = random_weights(format, kDim * kDim);
    if (options.wants(decode_name)) {
      const std::vector<Weights> copies(dram_copies(w.bytes()), w);
      size_t next_copy = 0;
      const BandwidthTiming t = time_bandwidth_runs(options.repeats(std::max<int>(10, 2 * copies.size())), w.bytes(),
                                                    *limits.probe, limits.probe_streams, [&] {
        const Weights& copy = copies[next_copy++ % copies.size()];
        cpu::linear(ctx, x.data(), 1, {format, copy.data(), kDim, kDim}, y.data());
      });
      print_decode(decode_name, w.bytes(), t, limits);
    }
    if (options.wants(prefill_name)) {
      const cpu::WeightMatrix matrix{format, w.data(), kDim, kDim};
      const Timing t = time_runs(options.repeats(2), [&] { cpu::linear(ctx, x.data(), kPrefillTokens, matrix, y.data()); });
      const double gflops = 2.0 * kPrefillTokens * kDim * kDim / t.best / 1e9;
      std::printf("%-30s %9.1f ms (median %9.1f)  %7.1f GFLOP/s     %5.2f of FMA peak\n", prefill_name.c_str(), t.best * 1e3,
                  t.median * 1e3, gflops, gflops / limits.fma_gflops);
    }
  }
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace
}  // namespace hearth::bench

int main(int argc, char** argv) {
  using namespace hearth;
  bench::BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--filter" && i + 1 < argc) {
      options.filters = bench::split_commas(argv[++i]);
    } else if (arg.rfind("--filter=", 0) == 0) {
      options.filters = bench::split_commas(arg.substr(std::strlen("--filter=")));
    } else {
      std::fprintf(stderr, "usage: kernels_bench [--filter TEXT[,TEXT...]] [--quick]\n");
      return 2;
    }
  }
  if (!cpu::cpu_supports(cpu::Isa::avx2)) {
    std::printf("kernels_bench measures the machine limits with AVX2 loops; this CPU has no AVX2\n");
    return 1;
  }
  const cpu::OpContext ctx = cpu::default_op_context();
  std::printf("kernels: %s, threads: %d\n", std::string(cpu::isa_name(ctx.kernels->isa)).c_str(), ctx.pool->size());
  bench::MachineLimits limits{};
  std::tie(limits.read_gbs, limits.probe_streams) = bench::read_bandwidth_gbs(*ctx.pool, options);
  cpu::ReadProbe probe(*ctx.pool);
  limits.probe = &probe;
  limits.fma_gflops = bench::fma_peak_gflops(*ctx.pool, options);
  limits.int8_gops = bench::int8_peak_gops(*ctx.pool, options);
  std::printf("memory read bandwidth          %7.1f GB/s\n", limits.read_gbs);
  const char* width = bench::avx512_limits() ? "512-bit" : "256-bit";
  std::printf("FMA peak (f32, %s)       %7.1f GFLOP/s\n", width, limits.fma_gflops);
  std::printf("int8 dot peak (%s)      %7.1f GOP/s (2 per byte product; %s)\n", width, limits.int8_gops,
              bench::avx512_limits() ? "vpdpbusd" : "maddubs+madd");
  bench::bench_float_linear(ctx, options, limits);
  bench::bench_quant_linear(ctx, options, limits);
  bench::bench_attention(ctx, options, limits);
  return 0;
}
