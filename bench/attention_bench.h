#pragma once
#include "bench_options.h"
#include "cpu/ops.h"

namespace hearth::bench {

// Fused attention with an F32 and an F16 cache: 8 query heads sharing 2 KV heads × 256 dims (a Gemma 4
// sliding layer) over 4096 cells of one sequence. Decode of one token against the read bandwidth (KV bytes
// read), prefill of the cache's last 512 tokens (causal) against the f32 FMA peak.
void bench_attention(const cpu::OpContext& ctx, const BenchOptions& options, const MachineLimits& limits);

}  // namespace hearth::bench
