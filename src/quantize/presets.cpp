#include "quantize/presets.h"

#include <algorithm>
#include <cctype>

namespace hearth::quantize {
namespace {

constexpr QuantPreset kPresets[] = {
    {"Q8_0", 7, TensorType::Q8_0},     {"Q6_K", 18, TensorType::Q6_K},   {"Q5_K_M", 17, TensorType::Q5_K},
    {"Q5_K_S", 16, TensorType::Q5_K},  {"Q4_K_M", 15, TensorType::Q4_K}, {"Q4_K_S", 14, TensorType::Q4_K},
    {"Q4_0", 2, TensorType::Q4_0},     {"IQ4_NL", 25, TensorType::IQ4_NL},
};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::span<const QuantPreset> quant_presets() { return kPresets; }

const QuantPreset* find_quant_preset(std::string_view name) {
  for (const QuantPreset& preset : kPresets) {
    if (same_ignoring_case(preset.name, name)) return &preset;
  }
  return nullptr;
}

}  // namespace hearth::quantize
