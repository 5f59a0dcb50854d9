#pragma once
// The ggml tensor type ids that can appear in a GGUF file (spec/quants.md §2) and their block geometry.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace hearth {

enum class TensorType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
  I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
  TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40, Q1_0 = 41, Q2_0 = 42,
};

inline constexpr int kQK_K = 256;

struct TypeInfo {
  TensorType type;
  std::string_view name;
  uint32_t block_elements;  // values per block
  uint32_t block_bytes;     // bytes per block
  bool dequantizable;       // hearth can turn it into floats
};

// nullptr for ids that are out of range or were removed from the format (4, 5, 31-33, 36-38).
const TypeInfo* find_type(uint32_t id);
const TypeInfo& type_info(TensorType type);
std::optional<TensorType> type_from_name(std::string_view name);  // case-insensitive, e.g. "q4_k"

// Bytes of a row of n elements; an error when n is not a whole number of blocks.
Result<uint64_t> row_bytes(TensorType type, int64_t n);

}  // namespace hearth
