#pragma once
// The per-type reference quantizers behind quantize_row (quantize.cpp dispatches to them). Each encodes n floats,
// a whole number of its blocks, exactly as the ggml function named in its comment does when llama-quantize runs
// without an importance matrix.
#include <cstdint>

#include "tensor/blocks.h"

namespace hearth::quant {

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t n);  // quantize_row_q4_0_ref
void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t n);  // quantize_row_q4_1_ref
void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t n);  // quantize_row_q5_0_ref
void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t n);  // quantize_row_q5_1_ref
void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t n);  // quantize_row_q8_0_ref
void quantize_q8_1(const float* x, BlockQ8_1* y, int64_t n);  // quantize_row_q8_1_ref
void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t n);  // quantize_row_q8_K_ref

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t n);  // quantize_row_q2_K_ref
void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t n);  // quantize_row_q3_K_ref
void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t n);  // quantize_row_q4_K_ref
void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t n);  // quantize_row_q5_K_ref
void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t n);  // quantize_row_q6_K_ref

void quantize_iq4_nl(const float* x, BlockIQ4_NL* y, int64_t n);  // quantize_iq4_nl without imatrix
void quantize_iq4_xs(const float* x, BlockIQ4_XS* y, int64_t n);  // quantize_iq4_xs without imatrix

}  // namespace hearth::quant
