#pragma once
// Read-back check of a freshly written quantized file before it replaces the destination.
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/result.h"
#include "tensor/types.h"

namespace hearth::quantize {

struct ExpectedTensor {
  std::string name;
  TensorType type = TensorType::F32;
  uint32_t n_dims = 0;
  std::array<int64_t, 4> ne = {1, 1, 1, 1};
  uint64_t bytes = 0;
  uint64_t checksum = 0;  // content_checksum of the bytes handed to the writer
};

// Reopens `path` as GGUF and checks the tensor table (names, types, shapes, sizes), the data of every tensor
// against its checksum, and the file type and quantization version keys.
Status verify_written_file(const std::filesystem::path& path, std::span<const ExpectedTensor> expected,
                           uint32_t file_type);

}  // namespace hearth::quantize
