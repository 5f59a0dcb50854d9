#pragma once
// Scalar reference conversions between floats and every tensor type of spec/quants.md. These are the
// definitions the SIMD kernels are tested against; they favour clarity over speed.
#include <cstdint>
#include <span>

#include "core/result.h"
#include "tensor/blocks.h"
#include "tensor/types.h"

namespace hearth {

// Decodes n values (a whole number of blocks) of `type` into floats. Fails for types hearth cannot decode.
Status dequantize_row(TensorType type, const void* src, float* dst, int64_t n);

// Which types quantize_row accepts: weight types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K, IQ4_NL, IQ4_XS,
// plus F32/F16/BF16 and the activation formats Q8_0/Q8_1/Q8_K.
bool can_quantize(TensorType type);

// Encodes n floats (a whole number of blocks) with ggml's reference algorithm (round-to-nearest for the
// legacy types, the iterative scale search of the K-quants, best-of-table for IQ4). Returns bytes written.
Result<uint64_t> quantize_row(TensorType type, const float* src, void* dst, int64_t n);

// llama.cpp's x86 (AVX/AVX2) activation quantizers, which CPU kernels use to match its numerics: id = 127/amax
// and round-half-even instead of the reference's 1/d and roundf, so a quant can differ by one unit from
// quantize_row(Q8_0 / Q8_1). n is a whole number of 32-element blocks.
void quantize_row_q8_0_activation(const float* src, BlockQ8_0* dst, int64_t n);
void quantize_row_q8_1_activation(const float* src, BlockQ8_1* dst, int64_t n);

// Decoders of the activation-only formats, which ggml registers no dequantizer for (tests and kernel checks).
void dequantize_row_q8_1(const BlockQ8_1* src, float* dst, int64_t n);
void dequantize_row_q8_k(const BlockQ8_K* src, float* dst, int64_t n);

}  // namespace hearth
