#include "tensor/types.h"

#include <array>
#include <cctype>

namespace hearth {
namespace {

constexpr std::array kTypes = {
    TypeInfo{TensorType::F32, "F32", 1, 4, true},
    TypeInfo{TensorType::F16, "F16", 1, 2, true},
    TypeInfo{TensorType::Q4_0, "Q4_0", 32, 18, true},
    TypeInfo{TensorType::Q4_1, "Q4_1", 32, 20, true},
    TypeInfo{TensorType::Q5_0, "Q5_0", 32, 22, true},
    TypeInfo{TensorType::Q5_1, "Q5_1", 32, 24, true},
    TypeInfo{TensorType::Q8_0, "Q8_0", 32, 34, true},
    TypeInfo{TensorType::Q8_1, "Q8_1", 32, 36, false},
    TypeInfo{TensorType::Q2_K, "Q2_K", 256, 84, true},
    TypeInfo{TensorType::Q3_K, "Q3_K", 256, 110, true},
    TypeInfo{TensorType::Q4_K, "Q4_K", 256, 144, true},
    TypeInfo{TensorType::Q5_K, "Q5_K", 256, 176, true},
    TypeInfo{TensorType::Q6_K, "Q6_K", 256, 210, true},
    TypeInfo{TensorType::Q8_K, "Q8_K", 256, 292, false},
    TypeInfo{TensorType::IQ2_XXS, "IQ2_XXS", 256, 66, false},
    TypeInfo{TensorType::IQ2_XS, "IQ2_XS", 256, 74, false},
    TypeInfo{TensorType::IQ3_XXS, "IQ3_XXS", 256, 98, false},
    TypeInfo{TensorType::IQ1_S, "IQ1_S", 256, 50, false},
    TypeInfo{TensorType::IQ4_NL, "IQ4_NL", 32, 18, true},
    TypeInfo{TensorType::IQ3_S, "IQ3_S", 256, 110, false},
    TypeInfo{TensorType::IQ2_S, "IQ2_S", 256, 82, false},
    TypeInfo{TensorType::IQ4_XS, "IQ4_XS", 256, 136, true},
    TypeInfo{TensorType::I8, "I8", 1, 1, false},
    TypeInfo{TensorType::I16, "I16", 1, 2, false},
    TypeInfo{TensorType::I32, "I32", 1, 4, false},
    TypeInfo{TensorType::I64, "I64", 1, 8, false},
    TypeInfo{TensorType::F64, "F64", 1, 8, false},
    TypeInfo{TensorType::IQ1_M, "IQ1_M", 256, 56, false},
    TypeInfo{TensorType::BF16, "BF16", 1, 2, true},
    TypeInfo{TensorType::TQ1_0, "TQ1_0", 256, 54, false},
    TypeInfo{TensorType::TQ2_0, "TQ2_0", 256, 66, false},
    TypeInfo{TensorType::MXFP4, "MXFP4", 32, 17, true},
    TypeInfo{TensorType::NVFP4, "NVFP4", 64, 36, false},
    TypeInfo{TensorType::Q1_0, "Q1_0", 128, 18, false},
    TypeInfo{TensorType::Q2_0, "Q2_0", 64, 18, false},
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

const TypeInfo* find_type(uint32_t id) {
  for (const TypeInfo& info : kTypes) {
    if (static_cast<uint32_t>(info.type) == id) return &info;
  }
  return nullptr;
}

const TypeInfo& type_info(TensorType type) { return *find_type(static_cast<uint32_t>(type)); }

std::optional<TensorType> type_from_name(std::string_view name) {
  for (const TypeInfo& info : kTypes) {
    if (equal_ignoring_case(info.name, name)) return info.type;
  }
  return std::nullopt;
}

Result<uint64_t> row_bytes(TensorType type, int64_t n) {
  const TypeInfo& info = type_info(type);
  if (n < 0 || n % info.block_elements != 0) {
    return make_error("a row of ", n, " elements is not a whole number of ", info.name, " blocks of ",
                      info.block_elements);
  }
  const uint64_t blocks = static_cast<uint64_t>(n / info.block_elements);
  if (blocks > UINT64_MAX / info.block_bytes) {
    return make_error("a row of ", n, " ", info.name, " elements does not fit in 64-bit byte counts");
  }
  return blocks * info.block_bytes;
}

}  // namespace hearth
