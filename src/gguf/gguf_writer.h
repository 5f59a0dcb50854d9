#pragma once
// Write side of GGUF v3, used by `hearth quantize`, `hearth synth`, tools and tests. Tensor data is produced
// on demand while writing, so multi-gigabyte models never have to sit in memory at once.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "gguf/value.h"
#include "tensor/types.h"

namespace hearth::gguf {

class GgufWriter {
 public:
  // Receives a buffer of exactly the tensor's byte size and fills it.
  using Producer = std::function<Status(std::span<uint8_t> out)>;
  using Progress = std::function<void(size_t done, size_t total)>;

  // `alignment` must be a power of two (checked by write()); `general.alignment` is written only if not 32.
  explicit GgufWriter(uint32_t alignment = 32);

  // Later calls with the same key replace the earlier value (keeps file order of the first). Values are
  // checked (type matches payload, integers in range, arrays homogeneous) when the file is written.
  void set(std::string key, Value value);

  // ne in ggml order (ne[0] = row length), 1..4 dims. Errors on duplicate names or a row that is not a whole
  // number of blocks.
  Status add_tensor(std::string name, TensorType type, std::vector<int64_t> ne, Producer producer);
  Status add_tensor(std::string name, TensorType type, std::vector<int64_t> ne, std::vector<uint8_t> bytes);

  // Writes the whole file. `on_tensor(i, n)` is called after each tensor (for progress bars).
  Status write(const std::filesystem::path& path, const Progress& on_tensor = {}) const;

  // Writes a split model: `<prefix>-00001-of-0000N.gguf` ... with at most `max_tensors_per_shard` tensors
  // each (at least one shard). All metadata goes into the first shard; every shard gets split.no,
  // split.count and split.tensors.count. `on_tensor` counts tensors across all shards.
  Status write_split(const std::filesystem::path& prefix, size_t max_tensors_per_shard,
                     const Progress& on_tensor = {}) const;

 private:
  struct PendingTensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> ne;
    uint64_t bytes;
    Producer producer;
  };
  struct TensorRange {
    size_t begin;
    size_t end;
  };

  Status check_metadata() const;
  Status write_file(const std::filesystem::path& path, const std::vector<const KeyValue*>& metadata,
                    TensorRange tensors, const Progress& on_tensor) const;

  uint32_t alignment_;
  std::vector<KeyValue> metadata_;
  std::vector<PendingTensor> tensors_;
  std::unordered_set<std::string> tensor_names_;
};

}  // namespace hearth::gguf
