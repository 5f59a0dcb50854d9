#include "cpu/weight_formats.h"

#include <array>

namespace hearth::cpu {
namespace {

struct FormatInfo {
  WeightFormat format;
  TensorType type;
  ActivationFormat activation;  // unused for the float formats
};

// In WeightFormat order.
constexpr std::array<FormatInfo, kFloatWeightFormatCount + kQuantWeightFormatCount> kFormats = {{
    {WeightFormat::f32, TensorType::F32, ActivationFormat::q8_0},
    {WeightFormat::f16, TensorType::F16, ActivationFormat::q8_0},
    {WeightFormat::bf16, TensorType::BF16, ActivationFormat::q8_0},
    {WeightFormat::q4_0, TensorType::Q4_0, ActivationFormat::q8_0},
    {WeightFormat::q4_1, TensorType::Q4_1, ActivationFormat::q8_1},
    {WeightFormat::q5_0, TensorType::Q5_0, ActivationFormat::q8_0},
    {WeightFormat::q5_1, TensorType::Q5_1, ActivationFormat::q8_1},
    {WeightFormat::q8_0, TensorType::Q8_0, ActivationFormat::q8_0},
    {WeightFormat::q2_k, TensorType::Q2_K, ActivationFormat::q8_k},
    {WeightFormat::q3_k, TensorType::Q3_K, ActivationFormat::q8_k},
    {WeightFormat::q4_k, TensorType::Q4_K, ActivationFormat::q8_k},
    {WeightFormat::q5_k, TensorType::Q5_K, ActivationFormat::q8_k},
    {WeightFormat::q6_k, TensorType::Q6_K, ActivationFormat::q8_k},
    {WeightFormat::iq4_nl, TensorType::IQ4_NL, ActivationFormat::q8_0},
    {WeightFormat::iq4_xs, TensorType::IQ4_XS, ActivationFormat::q8_k},
    {WeightFormat::mxfp4, TensorType::MXFP4, ActivationFormat::q8_0},
}};

constexpr bool formats_in_enum_order() {
  for (size_t i = 0; i < kFormats.size(); ++i) {
    if (static_cast<size_t>(kFormats[i].format) != i) return false;
  }
  return true;
}
static_assert(formats_in_enum_order());

const FormatInfo& info(WeightFormat format) { return kFormats[static_cast<size_t>(format)]; }

}  // namespace

TensorType tensor_type_of(WeightFormat format) { return info(format).type; }

std::optional<WeightFormat> weight_format_of(TensorType type) {
  for (const FormatInfo& candidate : kFormats) {
    if (candidate.type == type) return candidate.format;
  }
  return std::nullopt;
}

int64_t weight_row_bytes(WeightFormat format, int64_t n_in) {
  const TypeInfo& type = type_info(tensor_type_of(format));
  return n_in / type.block_elements * type.block_bytes;
}

int64_t weight_block_elements(WeightFormat format) { return type_info(tensor_type_of(format)).block_elements; }

ActivationFormat activation_format_of(WeightFormat format) { return info(format).activation; }

int64_t activation_block_elements(ActivationFormat format) { return format == ActivationFormat::q8_k ? kQK_K : 32; }

}  // namespace hearth::cpu
