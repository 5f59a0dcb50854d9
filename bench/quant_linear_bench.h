#pragma once
#include "bench_options.h"
#include "cpu/ops.h"

namespace hearth::bench {

// Linear layers with every quantized weight format (as_stored numerics, the integer kernels): decode
// shapes 1×4096×4096, 1×16384×4096 and 4×4096×4096 (tokens × n_out × n_in) against the read bandwidth,
// prefill 512×4096×4096 against the f32 FMA and int8 dot-product peaks.
void bench_quant_linear(const cpu::OpContext& ctx, const BenchOptions& options, const MachineLimits& limits);

}  // namespace hearth::bench
