#pragma once
#include <cstdint>
#include <span>

namespace hearth::quantize {

// A fast 64-bit content hash (not cryptographic) to prove that the bytes read back from a written file are
// the bytes that were handed to the writer.
uint64_t content_checksum(std::span<const uint8_t> bytes);

}  // namespace hearth::quantize
