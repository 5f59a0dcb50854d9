#pragma once
// The `hearth quantize` pipeline: choose every tensor's type (tensor_mix.h), convert the data on several
// threads while streaming the new file into a temporary file beside the output, read that file back and
// verify it, and only then rename it over the output.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "quantize/presets.h"
#include "tensor/types.h"

namespace hearth::quantize {

struct QuantizeRequest {
  std::filesystem::path input;
  std::filesystem::path output;
  QuantPreset preset;
  bool pure = false;
  unsigned threads = 1;
};

struct TensorProgress {
  size_t index = 0;  // tensors finished so far, counting this one
  size_t count = 0;
  std::string_view name;
  TensorType from = TensorType::F32;
  TensorType to = TensorType::F32;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

struct QuantizeObserver {
  std::function<void(const std::string& message)> warning;
  std::function<void(const TensorProgress& progress)> tensor_done;
};

struct QuantizeSummary {
  size_t tensors = 0;
  uint64_t bytes_in = 0;   // tensor data of the input
  uint64_t bytes_out = 0;  // tensor data of the output
};

Result<QuantizeSummary> quantize_model(const QuantizeRequest& request, const QuantizeObserver& observer);

}  // namespace hearth::quantize
