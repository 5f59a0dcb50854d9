#pragma once
// The two paths of linear (ops.h) for quantized weights, kept out of ops.cpp.
#include <cstdint>

#include "cpu/ops.h"

namespace hearth::cpu {

// LinearNumerics::as_stored: activations quantized once per call to the format's ActivationFormat, then the
// matrix-vector kernels on the stored blocks for up to kGemvMaxTokens tokens (the interleaved ones on an
// interleaved matrix), the integer panel kernels for more. Both paths take either layout.
void quantized_linear(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& weights, float* y);

// LinearNumerics::f32_dequant: weight rows dequantized to f32 on the fly (bit-exact with ggml's dequantizers)
// and multiplied by the F32 kernels.
void dequantized_linear(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& weights, float* y);

}  // namespace hearth::cpu
