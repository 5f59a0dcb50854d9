#pragma once
// Read side of GGUF (spec/gguf.md): memory-mapped, zero-copy tensor views, typed metadata getters, and every
// check of the hostile-file checklist (§9). Opening the first shard of a split model
// (`*-00001-of-0000N.gguf`) opens all shards and presents them as one file.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gguf/value.h"
#include "tensor/types.h"

namespace hearth::gguf {

// Limits applied to every file; the defaults are generous for real models and stop hostile ones.
struct ReadLimits {
  uint64_t max_string_bytes = 64ull << 20;
  uint64_t max_array_elements = 1ull << 26;
  uint32_t max_array_nesting = 8;  // an array of scalars is depth 1, an array of such arrays depth 2, ...
  // A parsed metadata value costs ~48 bytes of memory however small it is in the file (a UINT8 array element
  // is 1 byte), so metadata memory is capped at this multiple of the file size plus a fixed allowance.
  uint64_t metadata_memory_per_file_byte = 16;
  uint64_t metadata_memory_allowance = 64ull << 20;
};

struct TensorInfo {
  std::string name;
  TensorType type = TensorType::F32;
  uint32_t n_dims = 0;
  std::array<int64_t, 4> ne = {1, 1, 1, 1};  // ggml order: ne[0] is the contiguous row length
  uint64_t offset = 0;                        // relative to its shard's data blob
  uint64_t bytes = 0;
  uint32_t shard = 0;                         // index into the shards of a split model
  const uint8_t* data = nullptr;              // points into the mapping; valid while the GgufFile lives

  int64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
  std::span<const uint8_t> bytes_view() const { return {data, static_cast<size_t>(bytes)}; }
};

class GgufFile {
 public:
  static Result<std::unique_ptr<GgufFile>> open(const std::filesystem::path& path, const ReadLimits& limits = {});
  // Parses a GGUF image that is already in memory (fuzzing, embedded data). Nothing is copied: `bytes` must
  // outlive the GgufFile. Split models cannot be opened this way. path() is empty.
  static Result<std::unique_ptr<GgufFile>> open_memory(std::span<const uint8_t> bytes,
                                                       const ReadLimits& limits = {});
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  uint32_t version() const;
  uint32_t alignment() const;
  size_t shard_count() const;
  const std::filesystem::path& path() const;  // the first shard
  uint64_t file_size() const;                 // all shards together
  // Drops the mapped pages wholly inside [data, data + size) from memory until they are read again, for
  // tensor data that has been copied elsewhere. Does nothing for ranges outside the file's mappings (and for
  // open_memory images, which are not mapped).
  void release_pages(const void* data, size_t size) const;

  // Metadata, in file order (the first shard's, which holds all of it for split models).
  const std::vector<KeyValue>& metadata() const;
  const Value* find(std::string_view key) const;

  // Typed getters. Integers widen between any integer types with range checks; floats accept FLOAT32/FLOAT64.
  // Errors name the key, the type found and the type expected.
  Result<uint64_t> get_uint(std::string_view key) const;
  Result<int64_t> get_int(std::string_view key) const;
  Result<double> get_float(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;
  Result<std::string> get_string(std::string_view key) const;
  Result<std::vector<int64_t>> get_int_array(std::string_view key) const;   // integer or bool elements
  Result<std::vector<double>> get_float_array(std::string_view key) const;
  Result<std::vector<std::string>> get_string_array(std::string_view key) const;

  // All tensors of all shards, shard by shard in file order.
  const std::vector<TensorInfo>& tensors() const;
  const TensorInfo* find_tensor(std::string_view name) const;

 private:
  struct State;
  explicit GgufFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace hearth::gguf
