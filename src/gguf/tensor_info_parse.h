#pragma once
// Internal: reads the tensor-info table of a GGUF file (spec/gguf.md §5; checklist items 9-13).
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "gguf/byte_cursor.h"
#include "gguf/gguf_file.h"

namespace hearth::gguf {

// Reads `n_tensors` records at the cursor and checks names, dimensions, types, byte sizes and the strict
// packing rule offset[i] = offset[i-1] + align_up(bytes[i-1], alignment). Fills everything but `data` and
// `shard`; whether the data lies inside the file is checked by the caller, which knows where the blob starts.
Result<std::vector<TensorInfo>> parse_tensor_infos(ByteCursor& cursor, uint64_t n_tensors, uint32_t alignment);

// x rounded up to a multiple of the power of two `alignment`; false on overflow.
bool align_up(uint64_t x, uint32_t alignment, uint64_t& out);

}  // namespace hearth::gguf
