#pragma once
// Internal: a read-only, private memory mapping of a whole file, unmapped on destruction.
#include <cstdint>
#include <filesystem>
#include <span>

#include "core/result.h"

namespace hearth::gguf {

class MappedFile {
 public:
  static Result<MappedFile> open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Drops the whole pages of `range` (which must lie in bytes()) from this process's memory: they are read
  // from the file again when next touched. For data that was copied out and is rarely read again.
  void release(std::span<const uint8_t> range) const;

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_ = nullptr;  // nullptr for an empty file, which cannot be mapped
  size_t size_ = 0;
};

}  // namespace hearth::gguf
