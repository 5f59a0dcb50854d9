#include "gguf/gguf_writer.h"

#include <algorithm>
#include <limits>

#include "gguf/file_sink.h"
#include "gguf/split_naming.h"
#include "gguf/tensor_size.h"

namespace hearth::gguf {
namespace {

constexpr uint32_t kVersion = 3;
constexpr uint32_t kDefaultAlignment = 32;
constexpr size_t kMaxTensorNameBytes = 63;
constexpr size_t kMaxDims = 4;
constexpr std::string_view kAlignmentKey = "general.alignment";

// Values reach here already checked by check_value, so each holds the alternative its type calls for.
void encode_value(FileSink& sink, const Value& value) {
  switch (value.type) {
    case ValueType::UINT8: sink.put(static_cast<uint8_t>(std::get<uint64_t>(value.data))); break;
    case ValueType::UINT16: sink.put(static_cast<uint16_t>(std::get<uint64_t>(value.data))); break;
    case ValueType::UINT32: sink.put(static_cast<uint32_t>(std::get<uint64_t>(value.data))); break;
    case ValueType::UINT64: sink.put(std::get<uint64_t>(value.data)); break;
    case ValueType::INT8: sink.put(static_cast<int8_t>(std::get<int64_t>(value.data))); break;
    case ValueType::INT16: sink.put(static_cast<int16_t>(std::get<int64_t>(value.data))); break;
    case ValueType::INT32: sink.put(static_cast<int32_t>(std::get<int64_t>(value.data))); break;
    case ValueType::INT64: sink.put(std::get<int64_t>(value.data)); break;
    case ValueType::FLOAT32: sink.put(static_cast<float>(std::get<double>(value.data))); break;
    case ValueType::FLOAT64: sink.put(std::get<double>(value.data)); break;
    case ValueType::BOOL: sink.put(static_cast<uint8_t>(std::get<bool>(value.data) ? 1 : 0)); break;
    case ValueType::STRING: sink.put_string(std::get<std::string>(value.data)); break;
    case ValueType::ARRAY: {
      const Array& array = std::get<Array>(value.data);
      sink.put(static_cast<uint32_t>(array.element_type));
      sink.put(uint64_t{array.items.size()});
      for (const Value& item : array.items) encode_value(sink, item);  // bare values, no per-item type
      break;
    }
  }
}

bool is_split_key(std::string_view key) { return key.starts_with("split."); }

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {}

void GgufWriter::set(std::string key, Value value) {
  const auto existing =
      std::find_if(metadata_.begin(), metadata_.end(), [&](const KeyValue& kv) { return kv.key == key; });
  if (existing != metadata_.end()) {
    existing->value = std::move(value);
  } else {
    metadata_.push_back({std::move(key), std::move(value)});
  }
}

Status GgufWriter::add_tensor(std::string name, TensorType type, std::vector<int64_t> ne, Producer producer) {
  if (name.empty() || name.size() > kMaxTensorNameBytes) {
    return make_error("tensor '", name, "': name must be 1 to ", kMaxTensorNameBytes, " bytes");
  }
  if (tensor_names_.contains(name)) return make_error("tensor '", name, "': duplicate tensor name");
  if (!find_type(static_cast<uint32_t>(type))) {
    return make_error("tensor '", name, "': unsupported tensor type id ", static_cast<uint32_t>(type));
  }
  if (ne.empty() || ne.size() > kMaxDims) {
    return make_error("tensor '", name, "': ", ne.size(), " dimensions, expected 1 to ", kMaxDims);
  }
  for (size_t d = 0; d < ne.size(); ++d) {
    if (ne[d] < 1) return make_error("tensor '", name, "': ne[", d, "] is ", ne[d], ", expected at least 1");
  }
  const TypeInfo& info = type_info(type);
  if (ne[0] % info.block_elements != 0) {
    return make_error("tensor '", name, "': a row of ", ne[0], " elements is not a whole number of ", info.name,
                      " blocks of ", info.block_elements);
  }
  const std::optional<uint64_t> bytes = tensor_bytes(info, ne);
  if (!bytes) return make_error("tensor '", name, "': byte size overflows 64 bits");
  tensor_names_.insert(name);
  tensors_.push_back({std::move(name), type, std::move(ne), *bytes, std::move(producer)});
  return Status::success();
}

Status GgufWriter::add_tensor(std::string name, TensorType type, std::vector<int64_t> ne,
                              std::vector<uint8_t> bytes) {
  const std::string label = name;
  const size_t size = bytes.size();
  Producer copy_bytes = [data = std::move(bytes)](std::span<uint8_t> out) {
    std::copy(data.begin(), data.end(), out.begin());
    return Status::success();
  };
  if (Status added = add_tensor(std::move(name), type, std::move(ne), std::move(copy_bytes)); !added) return added;
  if (tensors_.back().bytes != size) {
    const uint64_t expected = tensors_.back().bytes;
    tensors_.pop_back();
    tensor_names_.erase(label);
    return make_error("tensor '", label, "': ", size, " bytes given but its type and shape need ", expected);
  }
  return Status::success();
}

Status GgufWriter::check_metadata() const {
  if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0) {
    return make_error("alignment ", alignment_, " is not a nonzero power of two");
  }
  for (const KeyValue& kv : metadata_) {
    if (kv.key.empty()) return make_error("metadata key is empty");
    if (Status valid = check_value(kv.value); !valid) return make_error("key '", kv.key, "': ", valid.error());
    if (kv.key == kAlignmentKey &&
        (kv.value.type != ValueType::UINT32 || std::get<uint64_t>(kv.value.data) != alignment_)) {
      return make_error("key 'general.alignment' is ", format_value(kv.value), " but the writer aligns to ",
                        alignment_, " (set the alignment in the GgufWriter constructor instead)");
    }
  }
  return Status::success();
}

Status GgufWriter::write(const std::filesystem::path& path, const Progress& on_tensor) const {
  if (Status valid = check_metadata(); !valid) return valid;
  std::vector<const KeyValue*> metadata;
  for (const KeyValue& kv : metadata_) metadata.push_back(&kv);
  return write_file(path, metadata, {0, tensors_.size()}, on_tensor);
}

Status GgufWriter::write_split(const std::filesystem::path& prefix, size_t max_tensors_per_shard,
                               const Progress& on_tensor) const {
  if (Status valid = check_metadata(); !valid) return valid;
  if (max_tensors_per_shard == 0) return make_error("max_tensors_per_shard must be at least 1");
  const size_t shard_count = std::max<size_t>(1, (tensors_.size() + max_tensors_per_shard - 1) / max_tensors_per_shard);
  if (shard_count > std::numeric_limits<uint16_t>::max() ||
      tensors_.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return make_error("too many shards (", shard_count, ") for the uint16 split.count key");
  }
  const KeyValue split_count{"split.count", Value::u16(static_cast<uint16_t>(shard_count))};
  const KeyValue split_tensors{"split.tensors.count", Value::i32(static_cast<int32_t>(tensors_.size()))};
  for (size_t shard = 0; shard < shard_count; ++shard) {
    const KeyValue split_no{"split.no", Value::u16(static_cast<uint16_t>(shard))};
    std::vector<const KeyValue*> metadata;
    if (shard == 0) {
      for (const KeyValue& kv : metadata_) {
        if (!is_split_key(kv.key)) metadata.push_back(&kv);
      }
    }
    metadata.insert(metadata.end(), {&split_no, &split_count, &split_tensors});
    const size_t begin = shard * max_tensors_per_shard;
    const size_t end = std::min(tensors_.size(), begin + max_tensors_per_shard);
    Progress shard_progress;
    if (on_tensor) {
      shard_progress = [&](size_t done, size_t) { on_tensor(begin + done, tensors_.size()); };
    }
    const std::filesystem::path path =
        split_shard_path(prefix, static_cast<uint32_t>(shard + 1), static_cast<uint32_t>(shard_count));
    if (Status written = write_file(path, metadata, {begin, end}, shard_progress); !written) return written;
  }
  return Status::success();
}

Status GgufWriter::write_file(const std::filesystem::path& path, const std::vector<const KeyValue*>& metadata,
                              TensorRange range, const Progress& on_tensor) const {
  const KeyValue alignment_kv{std::string(kAlignmentKey), Value::u32(alignment_)};
  std::vector<const KeyValue*> records = metadata;
  const bool has_alignment_key =
      std::any_of(records.begin(), records.end(), [](const KeyValue* kv) { return kv->key == kAlignmentKey; });
  if (alignment_ != kDefaultAlignment && !has_alignment_key) records.push_back(&alignment_kv);

  FileSink sink(path);
  sink.write({reinterpret_cast<const uint8_t*>("GGUF"), 4});
  sink.put(kVersion);
  sink.put(static_cast<int64_t>(range.end - range.begin));
  sink.put(static_cast<int64_t>(records.size()));
  for (const KeyValue* kv : records) {
    sink.put_string(kv->key);
    sink.put(static_cast<uint32_t>(kv->value.type));
    encode_value(sink, kv->value);
  }

  uint64_t offset = 0;
  for (size_t i = range.begin; i < range.end; ++i) {
    const PendingTensor& tensor = tensors_[i];
    sink.put_string(tensor.name);
    sink.put(static_cast<uint32_t>(tensor.ne.size()));
    for (const int64_t extent : tensor.ne) sink.put(extent);
    sink.put(static_cast<uint32_t>(tensor.type));
    sink.put(offset);
    offset += (tensor.bytes + alignment_ - 1) / alignment_ * alignment_;
  }
  // Like llama.cpp, a file without tensors ends right after its metadata.
  if (range.end > range.begin) sink.pad_to(alignment_);

  // One reusable buffer sized for the largest tensor so far: only one tensor is in memory at a time.
  std::vector<uint8_t> buffer;
  for (size_t i = range.begin; i < range.end && sink.status(); ++i) {
    const PendingTensor& tensor = tensors_[i];
    buffer.resize(static_cast<size_t>(tensor.bytes));
    if (Status produced = tensor.producer(buffer); !produced) {
      return make_error("tensor '", tensor.name, "': ", produced.error());
    }
    sink.write(buffer);
    sink.pad_to(alignment_);
    if (on_tensor) on_tensor(i - range.begin + 1, range.end - range.begin);
  }
  return sink.close();
}

}  // namespace hearth::gguf
