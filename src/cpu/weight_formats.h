#pragma once
// What the linear op needs to know about each WeightFormat: the GGUF tensor type it stores, its row size
// and, for the quantized formats, the activation format of its integer dot product.
#include <cstdint>
#include <optional>

#include "cpu/kernels.h"
#include "tensor/types.h"

namespace hearth::cpu {

TensorType tensor_type_of(WeightFormat format);
// The format that runs linear layers on weights of `type`; nullopt for types without linear kernels.
std::optional<WeightFormat> weight_format_of(TensorType type);

// Bytes of one row of n_in weights (n_in a whole number of the format's blocks).
int64_t weight_row_bytes(WeightFormat format, int64_t n_in);
// Values per block of the weights: 1 for the float formats, 32 or 256 for the quantized ones.
int64_t weight_block_elements(WeightFormat format);

ActivationFormat activation_format_of(WeightFormat format);  // quantized formats only
int64_t activation_block_elements(ActivationFormat format);  // 32, or 256 for q8_k

}  // namespace hearth::cpu
