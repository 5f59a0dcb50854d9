#include "attention_bench.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cpu/attention.h"
#include "tensor/fp16.h"
#include "timing.h"

namespace hearth::bench {
namespace {

constexpr int64_t kHeads = 8, kKvHeads = 2, kHeadDim = 256, kCells = 4096, kPrefillTokens = 512;

// K then V of one cache, [2, kCells, kKvHeads, kHeadDim], random values in the cache's format.
struct Cache {
  cpu::KvFormat format;
  std::vector<float> f32;
  std::vector<uint16_t> f16;

  const void* keys() const { return format == cpu::KvFormat::f32 ? static_cast<const void*>(f32.data()) : f16.data(); }
  const void* values() const {
    const int64_t offset = kCells * kKvHeads * kHeadDim;
    return format == cpu::KvFormat::f32 ? static_cast<const void*>(f32.data() + offset) : f16.data() + offset;
  }
  double bytes() const { return format == cpu::KvFormat::f32 ? f32.size() * 4.0 : f16.size() * 2.0; }
};

Cache random_cache(cpu::KvFormat format) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  Cache cache{format, {}, {}};
  for (int64_t i = 0; i < 2 * kCells * kKvHeads * kHeadDim; ++i) {
    const float value = dist(rng);
    if (format == cpu::KvFormat::f32) cache.f32.push_back(value);
    if (format == cpu::KvFormat::f16) cache.f16.push_back(f32_to_fp16(value));
  }
  return cache;
}

}  // namespace

void bench_attention(const cpu::OpContext& ctx, const BenchOptions& options, const MachineLimits& limits) {
  std::vector<int32_t> cell_positions(kCells), query_positions(kPrefillTokens);
  for (int64_t j = 0; j < kCells; ++j) cell_positions[j] = static_cast<int32_t>(j);
  for (int64_t t = 0; t < kPrefillTokens; ++t) query_positions[t] = static_cast<int32_t>(kCells - kPrefillTokens + t);
  const std::vector<int32_t> query_seqs(kPrefillTokens, 0);
  const std::vector<uint64_t> cell_seqs(kCells, 1);
  std::vector<float> q(kPrefillTokens * kHeads * kHeadDim, 0.01f), out(kPrefillTokens * kHeads * kHeadDim);
  const int32_t decode_position = kCells;
  const cpu::AttentionQueries decode_query{q.data(), 1, kHeads, kHeadDim, &decode_position, query_seqs.data()};
  const cpu::AttentionQueries prefill_queries{q.data(), kPrefillTokens, kHeads, kHeadDim, query_positions.data(),
                                              query_seqs.data()};
  // 2 FLOPs per multiply-add of q·k and of p·v, over the keys each query sees.
  double prefill_flops = 0.0;
  for (int32_t position : query_positions) prefill_flops += 4.0 * (position + 1) * kHeads * kHeadDim;
  for (cpu::KvFormat format : {cpu::KvFormat::f32, cpu::KvFormat::f16}) {
    const std::string name = format == cpu::KvFormat::f32 ? "F32" : "F16";
    const std::string decode_name = "attention " + name + " decode 8x256 (2 KV heads) x 4096 keys";
    const std::string prefill_name = "attention " + name + " prefill 512 tokens of 4096, causal";
    if (!options.wants(decode_name) && !options.wants(prefill_name)) continue;
    const Cache cache = random_cache(format);
    const auto view = [&](const Cache& c) {
      return cpu::KvCacheView{format, c.keys(), c.values(), kCells, kKvHeads, cell_positions.data(), cell_seqs.data()};
    };
    if (options.wants(decode_name)) {
      const std::vector<Cache> copies(dram_copies(cache.bytes()), cache);
      size_t next_copy = 0;
      const Timing t = time_runs(options.repeats(20), [&] {
        cpu::attention(ctx, decode_query, view(copies[next_copy++ % copies.size()]), {}, out.data());
      });
      const double gbs = cache.bytes() / t.best / 1e9;
      std::printf("%s %8.3f ms (median %8.3f)  %7.1f GB/s KV        %5.2f of bandwidth\n", decode_name.c_str(), t.best * 1e3,
                  t.median * 1e3, gbs, gbs / limits.read_gbs);
    }
    if (options.wants(prefill_name)) {
      const Timing t = time_runs(options.repeats(2), [&] { cpu::attention(ctx, prefill_queries, view(cache), {}, out.data()); });
      const double gflops = prefill_flops / t.best / 1e9;
      std::printf("%s %8.1f ms (median %8.1f)  %7.1f GFLOP/s          %5.2f of FMA peak\n", prefill_name.c_str(), t.best * 1e3,
                  t.median * 1e3, gflops, gflops / limits.fma_gflops);
    }
  }
}

}  // namespace hearth::bench
