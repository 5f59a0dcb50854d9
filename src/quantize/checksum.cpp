#include "quantize/checksum.h"

#include <cstring>

namespace hearth::quantize {
namespace {

constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;

uint64_t mix(uint64_t hash, uint64_t word) {
  hash ^= word * kMultiplier;
  hash = (hash << 27) | (hash >> 37);
  return hash * 0xC2B2AE3D27D4EB4Full + 0x165667B19E3779F9ull;
}

}  // namespace

uint64_t content_checksum(std::span<const uint8_t> bytes) {
  uint64_t hash = bytes.size() * kMultiplier;
  size_t offset = 0;
  for (; offset + 8 <= bytes.size(); offset += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + offset, 8);
    hash = mix(hash, word);
  }
  if (offset < bytes.size()) {
    uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + offset, bytes.size() - offset);
    hash = mix(hash, tail);
  }
  return hash ^ (hash >> 31);
}

}  // namespace hearth::quantize
