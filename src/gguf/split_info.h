#pragma once
// Internal: the split.* keys that tie the shards of a split model together (spec/gguf.md §8.2, §9 item 17).
#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "gguf/value.h"

namespace hearth::gguf {

struct SplitInfo {
  uint32_t no = 0;     // 0-based shard index (split.no)
  uint32_t count = 1;  // number of shards (split.count); 1 when the key is absent
  std::optional<uint64_t> tensors_count;  // split.tensors.count: tensors across all shards
};

// Reads the keys with range-checked widening; split.no must be below split.count.
Result<SplitInfo> read_split_info(const std::vector<KeyValue>& metadata);

}  // namespace hearth::gguf
