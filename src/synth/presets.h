#pragma once
// Named Gemma 4 shapes for `hearth synth`: the four released sizes at their real hyperparameters, twins of the
// tiny test fixtures, and small ones for quick benchmarks.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"
#include "synth/gemma4_shape.h"

namespace hearth::synth {

struct ShapePreset {
  std::string_view name;
  std::string_view description;
  Gemma4Shape shape;
};

std::span<const ShapePreset> shape_presets();
const ShapePreset* find_preset(std::string_view name);

struct ShapeOverrides {
  std::optional<uint32_t> n_vocab;
  std::optional<uint32_t> n_layer;
  std::optional<uint32_t> n_ctx_train;
};

// Applies the overrides and checks that the result is a shape llama.cpp can load. A new layer count keeps the
// layer pattern and scales the KV-shared tail, moving its start to just after a global layer that follows a
// sliding one (llama.cpp takes the donors of shared layers to be the two layers before the tail).
Result<Gemma4Shape> customize(Gemma4Shape shape, const ShapeOverrides& overrides);

}  // namespace hearth::synth
