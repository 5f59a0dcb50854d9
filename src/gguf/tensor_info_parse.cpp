#include "gguf/tensor_info_parse.h"

#include "gguf/tensor_size.h"

#include <string>
#include <string_view>
#include <unordered_set>

namespace hearth::gguf {
namespace {

// llama.cpp's GGML_MAX_NAME is 64 including the terminating NUL.
constexpr uint64_t kMaxTensorNameBytes = 63;
constexpr uint32_t kMaxDims = 4;

class TensorInfoParser {
 public:
  TensorInfoParser(ByteCursor& cursor, uint32_t alignment) : cursor_(cursor), alignment_(alignment) {}

  Result<std::vector<TensorInfo>> parse(uint64_t n_tensors) {
    std::vector<TensorInfo> tensors;
    std::unordered_set<std::string> seen_names;
    uint64_t expected_offset = 0;
    for (uint64_t i = 0; i < n_tensors; ++i) {
      info_start_ = cursor_.position();
      name_.clear();
      TensorInfo info;
      if (Status read = read_name(info.name); !read) return Error{read.error()};
      name_ = info.name;
      if (!seen_names.insert(info.name).second) return fail("duplicate tensor name");
      if (Status read = read_shape(info); !read) return Error{read.error()};
      if (Status read = read_type_and_size(info); !read) return Error{read.error()};

      Result<uint64_t> offset = read_scalar<uint64_t>("data offset");
      if (!offset) return std::move(offset).take_error();
      if (*offset != expected_offset) {
        return fail("offset ", *offset, " but expected ", expected_offset, " (tensors must be packed in order)");
      }
      info.offset = *offset;
      uint64_t padded_bytes;
      if (!align_up(info.bytes, alignment_, padded_bytes) ||
          __builtin_add_overflow(expected_offset, padded_bytes, &expected_offset)) {
        return fail("data end overflows 64 bits");
      }
      tensors.push_back(std::move(info));
    }
    return tensors;
  }

 private:
  template <typename... Parts>
  Error fail(const Parts&... parts) const {
    if (name_.empty()) return make_error("tensor info at byte ", info_start_, ": ", parts...);
    return make_error("tensor '", name_, "' (info at byte ", info_start_, "): ", parts...);
  }

  template <typename T>
  Result<T> read_scalar(std::string_view what) {
    T value;
    if (!cursor_.read(value)) {
      return fail("file ends at byte ", cursor_.size(), " while reading ", what, " at byte ", cursor_.position(),
                  " (", sizeof(T), " bytes needed, ", cursor_.remaining(), " left)");
    }
    return value;
  }

  Status read_name(std::string& name) {
    Result<uint64_t> length = read_scalar<uint64_t>("name length");
    if (!length) return std::move(length).take_error();
    if (*length == 0) return fail("empty tensor name");
    if (*length > kMaxTensorNameBytes) {
      return fail("name is ", *length, " bytes, at most ", kMaxTensorNameBytes, " are allowed");
    }
    std::span<const uint8_t> bytes;
    if (!cursor_.read_bytes(*length, bytes)) {
      return fail("file ends at byte ", cursor_.size(), " inside the ", *length, "-byte tensor name");
    }
    name.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Status::success();
  }

  Status read_shape(TensorInfo& info) {
    Result<uint32_t> n_dims = read_scalar<uint32_t>("n_dims");
    if (!n_dims) return std::move(n_dims).take_error();
    if (*n_dims > kMaxDims) return fail(*n_dims, " dimensions, at most ", kMaxDims, " are supported");
    info.n_dims = *n_dims;
    int64_t elements = 1;
    for (uint32_t d = 0; d < info.n_dims; ++d) {
      Result<int64_t> extent = read_scalar<int64_t>("dimension");
      if (!extent) return std::move(extent).take_error();
      if (*extent < 1) return fail("ne[", d, "] is ", *extent, ", expected at least 1");
      if (__builtin_mul_overflow(elements, *extent, &elements)) return fail("element count overflows int64");
      info.ne[d] = *extent;
    }
    return Status::success();
  }

  Status read_type_and_size(TensorInfo& info) {
    Result<uint32_t> type_id = read_scalar<uint32_t>("tensor type");
    if (!type_id) return std::move(type_id).take_error();
    const TypeInfo* type = find_type(*type_id);
    if (!type) return fail("unsupported tensor type id ", *type_id);
    info.type = type->type;
    if (info.ne[0] % type->block_elements != 0) {
      return fail("row length ne[0] = ", info.ne[0], " is not a multiple of the ", type->name, " block size ",
                  type->block_elements);
    }
    const std::optional<uint64_t> bytes = tensor_bytes(*type, info.ne);
    if (!bytes) return fail("byte size overflows 64 bits");
    info.bytes = *bytes;
    return Status::success();
  }

  ByteCursor& cursor_;
  const uint32_t alignment_;
  uint64_t info_start_ = 0;
  std::string name_;
};

}  // namespace

bool align_up(uint64_t x, uint32_t alignment, uint64_t& out) {
  const uint64_t mask = alignment - 1;
  if (__builtin_add_overflow(x, mask, &out)) return false;
  out &= ~mask;
  return true;
}

Result<std::vector<TensorInfo>> parse_tensor_infos(ByteCursor& cursor, uint64_t n_tensors, uint32_t alignment) {
  return TensorInfoParser(cursor, alignment).parse(n_tensors);
}

}  // namespace hearth::gguf
