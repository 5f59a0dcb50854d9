#pragma once
// Deterministic tensor contents for synthetic models. Values come from a counter-based generator: element i of
// a tensor depends only on (seed, tensor name, i), so chunks can be produced in any order on any number of
// threads and the file bytes never depend on either.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"
#include "synth/tensor_plan.h"

namespace hearth::synth {

uint64_t tensor_stream_key(uint64_t seed, std::string_view tensor_name);

// Roughly N(0, 1): a scaled sum of four uniform 16-bit lanes of one hash (bounded by ±2√3).
float unit_normal(uint64_t stream_key, uint64_t index);

// Fills `out` (exactly tensor.bytes()) with the tensor's values, F32 or F16, using up to `threads` threads.
Status fill_tensor(const PlannedTensor& tensor, uint64_t seed, std::span<uint8_t> out, unsigned threads);

}  // namespace hearth::synth
