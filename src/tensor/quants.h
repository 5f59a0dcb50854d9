#pragma once
// Scalar reference conversions between floats and every tensor type of spec/quants.md. These are the
// definitions the SIMD kernels are tested against; they favour clarity over speed.
#include <cstdint>
#include <span>

#include "core/result.h"
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

}  // namespace hearth
