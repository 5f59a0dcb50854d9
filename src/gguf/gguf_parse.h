#pragma once
// Internal: parses one complete GGUF image (one file, or one shard of a split model) from memory.
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "gguf/value.h"

namespace hearth::gguf {

struct ParsedGguf {
  uint32_t version = 0;
  uint32_t alignment = 32;
  uint64_t data_offset = 0;  // where the tensor data blob starts
  std::vector<KeyValue> metadata;
  std::vector<TensorInfo> tensors;  // `data` points into the parsed bytes; `shard` is 0
};

// Applies checklist items 1-14 of spec/gguf.md §9. Errors name the key, tensor or byte offset at fault.
Result<ParsedGguf> parse_gguf(std::span<const uint8_t> bytes, const ReadLimits& limits);

}  // namespace hearth::gguf
