#pragma once
// GGUF metadata as JSON for `hearth show --json`. Arrays longer than a limit (vocabularies, merges) are
// replaced by a summary object {"array": true, "element_type": "STRING", "length": N}, like Ollama's
// non-verbose `model_info`, so the output stays readable.
#include <cstddef>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "gguf/value.h"

namespace hearth::model {

inline constexpr size_t kDefaultArrayLimit = 256;
inline constexpr size_t kNoArrayLimit = std::numeric_limits<size_t>::max();

nlohmann::json value_to_json(const gguf::Value& value, size_t array_limit = kDefaultArrayLimit);

// One member per key.
nlohmann::json metadata_to_json(const std::vector<gguf::KeyValue>& metadata, size_t array_limit = kDefaultArrayLimit);

}  // namespace hearth::model
