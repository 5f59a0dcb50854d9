#pragma once
// The tensors of a Gemma 4 text GGUF (spec/gemma4.md §3.1-3.2) in the order llama.cpp's converter writes them,
// with the dtype rule of the converter and the distribution `hearth synth` draws each one from.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "synth/gemma4_shape.h"
#include "tensor/types.h"

namespace hearth::synth {

struct InitRule {
  enum class Kind {
    Gaussian,   // roughly N(mean, stddev); stddev 0 gives a constant
    RopeFreqs,  // 1 for the rotated pairs, 1e30 for the rest (what the converter generates)
  };
  Kind kind = Kind::Gaussian;
  float mean = 0.0f;
  float stddev = 0.0f;
  uint32_t rotated_pairs = 0;  // RopeFreqs only
};

struct PlannedTensor {
  std::string name;
  std::vector<int64_t> ne;  // ggml order
  TensorType type = TensorType::F32;
  InitRule init;

  int64_t elements() const;
  uint64_t bytes() const;
};

// weight_type (F16 or F32) is used for the matrices; 1-D tensors, `.scale` tensors, the router and
// rope_freqs are always F32, as the converter stores them.
std::vector<PlannedTensor> plan_gemma4_tensors(const Gemma4Shape& shape, TensorType weight_type);

uint64_t parameter_count(std::span<const PlannedTensor> tensors);
// Tensor data as laid out in the file: each tensor padded to `alignment`.
uint64_t tensor_data_bytes(std::span<const PlannedTensor> tensors, uint32_t alignment);

}  // namespace hearth::synth
