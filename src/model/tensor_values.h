#pragma once
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"

namespace hearth::model {

// The first `count` values of a tensor (fewer if it is smaller) in storage order, decoded with the scalar
// reference dequantizers. Only the blocks that hold them are decoded.
Result<std::vector<float>> read_tensor_values(const gguf::TensorInfo& tensor, int64_t count);

}  // namespace hearth::model
