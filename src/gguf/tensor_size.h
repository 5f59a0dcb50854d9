#pragma once
// Internal: byte size of a contiguous tensor with overflow checks, shared by the reader and the writer.
#include <cstdint>
#include <optional>
#include <span>

#include "tensor/types.h"

namespace hearth::gguf {

// (ne[0] / block_elements) * block_bytes * ne[1] * ...; nullopt when that overflows 64 bits. The caller has
// checked that every extent is >= 1 and that ne[0] is a whole number of blocks.
inline std::optional<uint64_t> tensor_bytes(const TypeInfo& type, std::span<const int64_t> ne) {
  uint64_t bytes = static_cast<uint64_t>(ne[0]) / type.block_elements;
  if (__builtin_mul_overflow(bytes, uint64_t{type.block_bytes}, &bytes)) return std::nullopt;
  for (size_t d = 1; d < ne.size(); ++d) {
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(ne[d]), &bytes)) return std::nullopt;
  }
  return bytes;
}

}  // namespace hearth::gguf
