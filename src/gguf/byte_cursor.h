#pragma once
// Bounded little-endian reads over a byte span. Every read checks the bytes remaining first, so parsing
// code never does raw pointer arithmetic on data that came from a file.
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace hearth::gguf {

static_assert(std::endian::native == std::endian::little, "GGUF parsing assumes a little-endian host");

class ByteCursor {
 public:
  explicit ByteCursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint64_t position() const { return position_; }
  uint64_t remaining() const { return bytes_.size() - position_; }
  uint64_t size() const { return bytes_.size(); }

  // False (and nothing consumed) when fewer than sizeof(T) bytes remain.
  template <typename T>
    requires std::is_trivially_copyable_v<T>
  bool read(T& out) {
    if (remaining() < sizeof(T)) return false;
    std::memcpy(&out, bytes_.data() + position_, sizeof(T));
    position_ += sizeof(T);
    return true;
  }

  // A view of the next n bytes; false (and nothing consumed) when fewer remain.
  bool read_bytes(uint64_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = bytes_.subspan(position_, n);
    position_ += n;
    return true;
  }

 private:
  std::span<const uint8_t> bytes_;
  uint64_t position_ = 0;
};

}  // namespace hearth::gguf
