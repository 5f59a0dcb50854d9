#pragma once
#include "cpu/ops.h"

namespace hearth::bench {

// Linear layers with every quantized weight format (as_stored numerics, the integer kernels): decode
// shapes 1×4096×4096 and 1×16384×4096 (tokens × n_out × n_in) against the read bandwidth, prefill
// 512×4096×4096 against the f32 FMA peak.
void bench_quant_linear(const cpu::OpContext& ctx, double bandwidth_gbs, double peak_gflops);

}  // namespace hearth::bench
