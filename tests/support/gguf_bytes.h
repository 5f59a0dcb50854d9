#pragma once
// Byte-level GGUF builder for tests that need files no well-behaved writer would produce (hostile inputs,
// truncations, unusual layouts). Every field is appended exactly as given, little-endian.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace hearth::test {

class GgufBytes {
 public:
  // Value type ids of spec/gguf.md §4.
  static constexpr uint32_t kUint8 = 0, kUint32 = 4, kInt32 = 5, kFloat32 = 6, kString = 8, kArray = 9,
                            kUint64 = 10;
  // Tensor type ids.
  static constexpr uint32_t kF32 = 0, kF16 = 1, kQ4_0 = 2;

  GgufBytes& raw(std::string_view bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  GgufBytes& u8(uint8_t v) { return put(v); }
  GgufBytes& u16(uint16_t v) { return put(v); }
  GgufBytes& u32(uint32_t v) { return put(v); }
  GgufBytes& i32(int32_t v) { return put(v); }
  GgufBytes& u64(uint64_t v) { return put(v); }
  GgufBytes& i64(int64_t v) { return put(v); }
  GgufBytes& f32(float v) { return put(v); }
  GgufBytes& str(std::string_view s) { return u64(s.size()).raw(s); }
  GgufBytes& zeros(size_t n) {
    bytes_.resize(bytes_.size() + n, 0);
    return *this;
  }
  GgufBytes& pad_to(size_t alignment) { return zeros((alignment - bytes_.size() % alignment) % alignment); }

  GgufBytes& header(int64_t n_tensors, int64_t n_kv, uint32_t version = 3) {
    return raw("GGUF").u32(version).i64(n_tensors).i64(n_kv);
  }
  GgufBytes& kv_u32(std::string_view key, uint32_t v) { return str(key).u32(kUint32).u32(v); }
  GgufBytes& kv_string(std::string_view key, std::string_view v) { return str(key).u32(kString).str(v); }
  // Key, ARRAY type, element type and count; the caller appends the elements.
  GgufBytes& kv_array(std::string_view key, uint32_t element_type, uint64_t count) {
    return str(key).u32(kArray).u32(element_type).u64(count);
  }
  GgufBytes& tensor_info(std::string_view name, const std::vector<int64_t>& ne, uint32_t type, uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(ne.size()));
    for (const int64_t extent : ne) i64(extent);
    return u32(type).u64(offset);
  }

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  template <typename T>
  GgufBytes& put(T v) {
    uint8_t raw_bytes[sizeof(T)];
    std::memcpy(raw_bytes, &v, sizeof(T));
    bytes_.insert(bytes_.end(), raw_bytes, raw_bytes + sizeof(T));
    return *this;
  }

  std::vector<uint8_t> bytes_;
};

}  // namespace hearth::test
