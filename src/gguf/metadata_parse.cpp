#include "gguf/metadata_parse.h"

#include <string>
#include <string_view>
#include <unordered_set>

namespace hearth::gguf {
namespace {

// Smallest encoding of one array element of the type, used to reject counts the remaining bytes cannot hold.
uint64_t min_encoded_size(ValueType type) {
  switch (type) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::BOOL: return 1;
    case ValueType::UINT16: case ValueType::INT16: return 2;
    case ValueType::UINT32: case ValueType::INT32: case ValueType::FLOAT32: return 4;
    case ValueType::ARRAY: return 12;  // element type + count
    default: return 8;                 // 64-bit scalars; strings (length prefix)
  }
}

uint64_t saturating_add(uint64_t a, uint64_t b) {
  uint64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  uint64_t product;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

class MetadataParser {
 public:
  MetadataParser(ByteCursor& cursor, const ReadLimits& limits)
      : cursor_(cursor),
        limits_(limits),
        memory_limit_(saturating_add(limits.metadata_memory_allowance,
                                     saturating_mul(limits.metadata_memory_per_file_byte, cursor.size()))) {}

  Result<std::vector<KeyValue>> parse(uint64_t n_kv) {
    std::vector<KeyValue> records;
    std::unordered_set<std::string> seen_keys;
    for (uint64_t i = 0; i < n_kv; ++i) {
      record_start_ = cursor_.position();
      key_.clear();
      Result<std::string> key = read_string("key");
      if (!key) return std::move(key).take_error();
      if (key->empty()) return make_error("metadata record at byte ", record_start_, ": empty key");
      key_ = *key;
      if (!seen_keys.insert(key_).second) return fail("duplicate key");
      if (Status charged = charge(sizeof(KeyValue)); !charged) return Error{charged.error()};

      Result<ValueType> type = read_type("value type");
      if (!type) return std::move(type).take_error();
      Result<Value> value = read_value(*type, 0);
      if (!value) return std::move(value).take_error();
      records.push_back({std::move(*key), std::move(*value)});
    }
    return records;
  }

 private:
  template <typename... Parts>
  Error fail(const Parts&... parts) const {
    if (key_.empty()) return make_error("metadata record at byte ", record_start_, ": ", parts...);
    return make_error("key '", key_, "' (record at byte ", record_start_, "): ", parts...);
  }

  Error truncated(std::string_view what, uint64_t needed) const {
    return fail("file ends at byte ", cursor_.size(), " while reading ", what, " at byte ", cursor_.position(),
                " (", needed, " bytes needed, ", cursor_.remaining(), " left)");
  }

  Status charge(uint64_t bytes) {
    memory_used_ = saturating_add(memory_used_, bytes);
    if (memory_used_ > memory_limit_) {
      return fail("parsed metadata would need more than ", memory_limit_, " bytes of memory for a ",
                  cursor_.size(), "-byte file (ReadLimits::metadata_memory_*)");
    }
    return Status::success();
  }

  template <typename T>
  Result<T> read_scalar(std::string_view what) {
    T value;
    if (!cursor_.read(value)) return truncated(what, sizeof(T));
    return value;
  }

  Result<ValueType> read_type(std::string_view what) {
    const uint64_t at = cursor_.position();
    Result<uint32_t> id = read_scalar<uint32_t>(what);
    if (!id) return std::move(id).take_error();
    const std::optional<ValueType> type = value_type_from_id(*id);
    if (!type) return fail("unknown ", what, " id ", *id, " at byte ", at, " (expected 0..12)");
    return *type;
  }

  Result<std::string> read_string(std::string_view what) {
    const uint64_t at = cursor_.position();
    Result<uint64_t> length = read_scalar<uint64_t>(what);
    if (!length) return std::move(length).take_error();
    if (*length > limits_.max_string_bytes) {
      return fail(what, " at byte ", at, " is ", *length, " bytes, more than the limit of ",
                  limits_.max_string_bytes);
    }
    if (*length > cursor_.remaining()) {
      return fail(what, " at byte ", at, " is ", *length, " bytes but only ", cursor_.remaining(),
                  " bytes are left in the file");
    }
    if (Status charged = charge(*length); !charged) return Error{charged.error()};
    std::span<const uint8_t> bytes;
    cursor_.read_bytes(*length, bytes);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  Result<Value> read_value(ValueType type, uint32_t depth) {
    switch (type) {
      case ValueType::UINT8: return unsigned_value<uint8_t>(type);
      case ValueType::UINT16: return unsigned_value<uint16_t>(type);
      case ValueType::UINT32: return unsigned_value<uint32_t>(type);
      case ValueType::UINT64: return unsigned_value<uint64_t>(type);
      case ValueType::INT8: return signed_value<int8_t>(type);
      case ValueType::INT16: return signed_value<int16_t>(type);
      case ValueType::INT32: return signed_value<int32_t>(type);
      case ValueType::INT64: return signed_value<int64_t>(type);
      case ValueType::FLOAT32: return float_value<float>(type);
      case ValueType::FLOAT64: return float_value<double>(type);
      case ValueType::BOOL: {
        // Any nonzero byte is true, as in llama.cpp.
        Result<uint8_t> raw = read_scalar<uint8_t>("BOOL value");
        if (!raw) return std::move(raw).take_error();
        return Value::boolean(*raw != 0);
      }
      case ValueType::STRING: {
        Result<std::string> text = read_string("STRING value");
        if (!text) return std::move(text).take_error();
        return Value::string(std::move(*text));
      }
      case ValueType::ARRAY: return read_array(depth + 1);
    }
    return fail("unknown value type");
  }

  template <typename T>
  Result<Value> unsigned_value(ValueType type) {
    Result<T> raw = read_scalar<T>(value_type_name(type));
    if (!raw) return std::move(raw).take_error();
    return Value{type, uint64_t{*raw}};
  }

  template <typename T>
  Result<Value> signed_value(ValueType type) {
    Result<T> raw = read_scalar<T>(value_type_name(type));
    if (!raw) return std::move(raw).take_error();
    return Value{type, int64_t{*raw}};
  }

  template <typename T>
  Result<Value> float_value(ValueType type) {
    Result<T> raw = read_scalar<T>(value_type_name(type));
    if (!raw) return std::move(raw).take_error();
    return Value{type, double{*raw}};
  }

  Result<Value> read_array(uint32_t depth) {
    const uint64_t at = cursor_.position();
    if (depth > limits_.max_array_nesting) {
      return fail("array at byte ", at, " is nested ", depth, " deep, more than the limit of ",
                  limits_.max_array_nesting);
    }
    Result<ValueType> element_type = read_type("array element type");
    if (!element_type) return std::move(element_type).take_error();
    Result<uint64_t> count = read_scalar<uint64_t>("array length");
    if (!count) return std::move(count).take_error();
    if (*count > limits_.max_array_elements) {
      return fail("array at byte ", at, " has ", *count, " elements, more than the limit of ",
                  limits_.max_array_elements);
    }
    const uint64_t min_size = min_encoded_size(*element_type);
    if (*count > cursor_.remaining() / min_size) {
      return fail("array at byte ", at, " of ", *count, " ", value_type_name(*element_type),
                  " elements needs at least ", min_size, " bytes each but only ", cursor_.remaining(),
                  " bytes are left in the file");
    }
    if (Status charged = charge(saturating_mul(*count, sizeof(Value))); !charged) return Error{charged.error()};

    Array array{*element_type, {}};
    array.items.reserve(*count);
    for (uint64_t i = 0; i < *count; ++i) {
      Result<Value> item = read_value(*element_type, depth);
      if (!item) return std::move(item).take_error();
      array.items.push_back(std::move(*item));
    }
    return Value{ValueType::ARRAY, std::move(array)};
  }

  ByteCursor& cursor_;
  const ReadLimits& limits_;
  const uint64_t memory_limit_;
  uint64_t memory_used_ = 0;
  uint64_t record_start_ = 0;
  std::string key_;
};

}  // namespace

Result<std::vector<KeyValue>> parse_metadata(ByteCursor& cursor, uint64_t n_kv, const ReadLimits& limits) {
  return MetadataParser(cursor, limits).parse(n_kv);
}

}  // namespace hearth::gguf
