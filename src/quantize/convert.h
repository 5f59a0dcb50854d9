#pragma once
#include <span>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "tensor/types.h"

namespace hearth::quantize {

// Re-encodes a tensor as `target`, row by row on up to `threads` threads: each row is decoded to floats and
// encoded with the reference quantizer (no importance matrix). When the type does not change the bytes are
// copied unchanged. `out` must be exactly the size of the tensor in `target`.
Status convert_tensor(const gguf::TensorInfo& tensor, TensorType target, std::span<uint8_t> out, unsigned threads);

}  // namespace hearth::quantize
