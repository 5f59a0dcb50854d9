#include "gguf/gguf_file.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "gguf/gguf_parse.h"
#include "gguf/mapped_file.h"
#include "gguf/split_info.h"
#include "gguf/split_naming.h"

namespace hearth::gguf {

struct GgufFile::State {
  std::filesystem::path path;
  std::vector<MappedFile> mappings;  // one per shard; empty for open_memory
  uint64_t file_size = 0;
  uint32_t version = 0;
  uint32_t alignment = 0;
  std::vector<KeyValue> metadata;
  std::vector<TensorInfo> tensors;
  std::unordered_map<std::string_view, size_t> key_index;     // views into `metadata`
  std::unordered_map<std::string_view, size_t> tensor_index;  // views into `tensors`

  // Indexes keys and tensors by name once both vectors are final; tensor names must be unique across shards.
  Status build_indices() {
    for (size_t i = 0; i < metadata.size(); ++i) key_index.emplace(metadata[i].key, i);
    for (size_t i = 0; i < tensors.size(); ++i) {
      const auto [existing, inserted] = tensor_index.emplace(tensors[i].name, i);
      if (!inserted) {
        return make_error("tensor '", tensors[i].name, "' appears in shard ", tensors[existing->second].shard + 1,
                          " and again in shard ", tensors[i].shard + 1);
      }
    }
    return Status::success();
  }
};

namespace {

struct LoadedShard {
  MappedFile mapping;
  ParsedGguf parsed;
  SplitInfo split;
};

Result<LoadedShard> load_shard(const std::filesystem::path& path, const ReadLimits& limits) {
  Result<MappedFile> mapping = MappedFile::open(path);
  if (!mapping) return std::move(mapping).take_error();
  Result<ParsedGguf> parsed = parse_gguf(mapping->bytes(), limits);
  if (!parsed) return make_error(path.string(), ": ", parsed.error());
  Result<SplitInfo> split = read_split_info(parsed->metadata);
  if (!split) return make_error(path.string(), ": ", split.error());
  return LoadedShard{std::move(*mapping), std::move(*parsed), *split};
}

// Paths of all shards of the split model whose first shard is `first`, checked against its split.* keys.
Result<std::vector<std::filesystem::path>> shard_paths(const std::filesystem::path& first, const SplitInfo& split) {
  const std::optional<SplitName> name = parse_split_name(first);
  if (split.no != 0) {
    if (!name) {
      return make_error(first.string(), ": is shard ", split.no + 1, " of ", split.count,
                        " of a split model; open the first shard instead");
    }
    return make_error(first.string(), ": is shard ", split.no + 1, " of ", split.count,
                      " of a split model; open the first shard ",
                      split_shard_path(name->prefix, 1, name->count).string());
  }
  if (!name || name->number != 1 || name->count != split.count) {
    return make_error(first.string(), ": first shard of a split model of ", split.count,
                      " shards, but the file is not named like ",
                      split_shard_path("<prefix>", 1, split.count).string());
  }
  std::vector<std::filesystem::path> paths;
  for (uint32_t number = 1; number <= split.count; ++number) {
    paths.push_back(split_shard_path(name->prefix, number, split.count));
  }
  return paths;
}

}  // namespace

GgufFile::GgufFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
GgufFile::~GgufFile() = default;

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::filesystem::path& path, const ReadLimits& limits) {
  Result<LoadedShard> first = load_shard(path, limits);
  if (!first) return std::move(first).take_error();
  const SplitInfo split = first->split;

  auto state = std::make_unique<State>();
  state->path = path;
  state->version = first->parsed.version;
  state->alignment = first->parsed.alignment;
  state->metadata = std::move(first->parsed.metadata);

  std::vector<LoadedShard> shards;
  shards.push_back(std::move(*first));
  if (split.count > 1) {
    Result<std::vector<std::filesystem::path>> paths = shard_paths(path, split);
    if (!paths) return std::move(paths).take_error();
    for (uint32_t index = 1; index < split.count; ++index) {
      const std::filesystem::path& shard_path = (*paths)[index];
      if (!std::filesystem::exists(shard_path)) {
        return make_error(path.string(), ": shard ", index + 1, " of ", split.count, " is missing: ",
                          shard_path.string());
      }
      Result<LoadedShard> shard = load_shard(shard_path, limits);
      if (!shard) return std::move(shard).take_error();
      if (shard->split.no != index || shard->split.count != split.count) {
        return make_error(shard_path.string(), ": split.no ", shard->split.no, " of split.count ",
                          shard->split.count, ", expected ", index, " of ", split.count);
      }
      shards.push_back(std::move(*shard));
    }
  }

  for (uint32_t index = 0; index < shards.size(); ++index) {
    for (TensorInfo& tensor : shards[index].parsed.tensors) {
      tensor.shard = index;
      state->tensors.push_back(std::move(tensor));
    }
    state->file_size += shards[index].mapping.bytes().size();
    state->mappings.push_back(std::move(shards[index].mapping));
  }
  if (split.tensors_count && *split.tensors_count != state->tensors.size()) {
    return make_error(path.string(), ": key 'split.tensors.count' is ", *split.tensors_count, " but the ",
                      split.count, " shard(s) hold ", state->tensors.size(), " tensors");
  }
  if (Status indexed = state->build_indices(); !indexed) return make_error(path.string(), ": ", indexed.error());
  return std::unique_ptr<GgufFile>(new GgufFile(std::move(state)));
}

Result<std::unique_ptr<GgufFile>> GgufFile::open_memory(std::span<const uint8_t> bytes, const ReadLimits& limits) {
  Result<ParsedGguf> parsed = parse_gguf(bytes, limits);
  if (!parsed) return std::move(parsed).take_error();
  Result<SplitInfo> split = read_split_info(parsed->metadata);
  if (!split) return std::move(split).take_error();
  if (split->count > 1) {
    return make_error("split model (split.count = ", split->count, ") can only be opened from its shard files");
  }
  if (split->tensors_count && *split->tensors_count != parsed->tensors.size()) {
    return make_error("key 'split.tensors.count' is ", *split->tensors_count, " but the file holds ",
                      parsed->tensors.size(), " tensors");
  }
  auto state = std::make_unique<State>();
  state->file_size = bytes.size();
  state->version = parsed->version;
  state->alignment = parsed->alignment;
  state->metadata = std::move(parsed->metadata);
  state->tensors = std::move(parsed->tensors);
  if (Status indexed = state->build_indices(); !indexed) return Error{indexed.error()};
  return std::unique_ptr<GgufFile>(new GgufFile(std::move(state)));
}

uint32_t GgufFile::version() const { return state_->version; }
uint32_t GgufFile::alignment() const { return state_->alignment; }
size_t GgufFile::shard_count() const { return std::max<size_t>(state_->mappings.size(), 1); }
const std::filesystem::path& GgufFile::path() const { return state_->path; }
uint64_t GgufFile::file_size() const { return state_->file_size; }

void GgufFile::release_pages(const void* data, size_t size) const {
  const auto* begin = static_cast<const uint8_t*>(data);
  for (const MappedFile& mapping : state_->mappings) {
    const std::span<const uint8_t> bytes = mapping.bytes();
    // Compared as addresses: the range may belong to another mapping or to none.
    const auto first = reinterpret_cast<uintptr_t>(bytes.data());
    const auto address = reinterpret_cast<uintptr_t>(begin);
    if (address >= first && address - first <= bytes.size() && size <= bytes.size() - (address - first)) {
      mapping.release({begin, size});
      return;
    }
  }
}

const std::vector<KeyValue>& GgufFile::metadata() const { return state_->metadata; }
const std::vector<TensorInfo>& GgufFile::tensors() const { return state_->tensors; }

const Value* GgufFile::find(std::string_view key) const {
  const auto it = state_->key_index.find(key);
  return it == state_->key_index.end() ? nullptr : &state_->metadata[it->second].value;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  const auto it = state_->tensor_index.find(name);
  return it == state_->tensor_index.end() ? nullptr : &state_->tensors[it->second];
}

}  // namespace hearth::gguf
