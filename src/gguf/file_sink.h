#pragma once
// Internal: buffered sequential writes to a new file. The first failure is remembered and later writes become
// no-ops, so encoding code can write freely and check status() once.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.h"

namespace hearth::gguf {

class FileSink {
 public:
  explicit FileSink(const std::filesystem::path& path);  // creates or truncates the file
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write(std::span<const uint8_t> bytes);
  template <typename T>
    requires std::is_trivially_copyable_v<T>
  void put(const T& value) {
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    write(raw);
  }
  void put_string(std::string_view text);  // u64 length + bytes
  void pad_to(uint32_t alignment);         // zero bytes up to the next multiple of `alignment`

  uint64_t position() const { return position_; }
  const Status& status() const { return status_; }
  Status close();  // flushes and closes; the final status of everything written

 private:
  void flush();
  void write_fully(const uint8_t* data, size_t size);

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<uint8_t> buffer_;
  uint64_t position_ = 0;
  Status status_;
};

}  // namespace hearth::gguf
