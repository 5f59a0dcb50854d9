#include "gguf/split_info.h"

#include <limits>
#include <string_view>

namespace hearth::gguf {
namespace {

const Value* find_value(const std::vector<KeyValue>& metadata, std::string_view key) {
  for (const KeyValue& kv : metadata) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

Result<std::optional<uint64_t>> read_optional_uint(const std::vector<KeyValue>& metadata, std::string_view key,
                                                   uint64_t max) {
  const Value* value = find_value(metadata, key);
  if (!value) return std::optional<uint64_t>();
  Result<uint64_t> number = value_to_uint(*value);
  if (!number) return make_error("key '", key, "': ", number.error());
  if (*number > max) return make_error("key '", key, "': ", *number, " is larger than ", max);
  return std::optional<uint64_t>(*number);
}

}  // namespace

Result<SplitInfo> read_split_info(const std::vector<KeyValue>& metadata) {
  constexpr uint64_t kMaxShards = std::numeric_limits<uint16_t>::max();
  Result<std::optional<uint64_t>> no = read_optional_uint(metadata, "split.no", kMaxShards);
  if (!no) return std::move(no).take_error();
  Result<std::optional<uint64_t>> count = read_optional_uint(metadata, "split.count", kMaxShards);
  if (!count) return std::move(count).take_error();
  Result<std::optional<uint64_t>> tensors_count =
      read_optional_uint(metadata, "split.tensors.count", std::numeric_limits<uint64_t>::max());
  if (!tensors_count) return std::move(tensors_count).take_error();

  SplitInfo info;
  info.no = static_cast<uint32_t>(no->value_or(0));
  info.count = static_cast<uint32_t>(count->value_or(1));
  info.tensors_count = *tensors_count;
  if (info.count == 0) return make_error("key 'split.count': 0, expected at least 1");
  if (info.no >= info.count) {
    return make_error("key 'split.no': ", info.no, " but split.count is ", info.count, " (split.no is 0-based)");
  }
  if (info.count > 1 && !info.tensors_count) return make_error("split model lacks key 'split.tensors.count'");
  return info;
}

}  // namespace hearth::gguf
