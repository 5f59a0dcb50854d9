#pragma once
// Write side of GGUF v3, used by `hearth quantize`, `hearth synth`, tools and tests. Tensor data is produced
// on demand while writing, so multi-gigabyte models never have to sit in memory at once.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "gguf/value.h"
#include "tensor/types.h"

namespace hearth::gguf {

class GgufWriter {
 public:
  // Receives a buffer of exactly the tensor's byte size and fills it.
  using Producer = std::function<Status(std::span<uint8_t> out)>;

  explicit GgufWriter(uint32_t alignment = 32);

  // Later calls with the same key replace the earlier value (keeps file order of the first).
  void set(std::string key, Value value);

  // ne in ggml order (ne[0] = row length), 1..4 dims. Errors on duplicate names or a row that is not a whole
  // number of blocks.
  Status add_tensor(std::string name, TensorType type, std::vector<int64_t> ne, Producer producer);
  Status add_tensor(std::string name, TensorType type, std::vector<int64_t> ne, std::vector<uint8_t> bytes);

  // Writes the whole file. `on_tensor(i, n)` is called after each tensor (for progress bars).
  Status write(const std::filesystem::path& path,
               const std::function<void(size_t done, size_t total)>& on_tensor = {}) const;

 private:
  struct PendingTensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> ne;
    uint64_t bytes;
    Producer producer;
  };
  uint32_t alignment_;
  std::vector<KeyValue> metadata_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace hearth::gguf
