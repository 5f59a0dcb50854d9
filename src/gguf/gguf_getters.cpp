// Typed metadata getters of GgufFile: widening with range checks, errors that name the key.
#include <string>
#include <utility>

#include "gguf/gguf_file.h"

namespace hearth::gguf {
namespace {

Result<const Value*> lookup(const GgufFile& file, std::string_view key) {
  const Value* value = file.find(key);
  if (!value) return make_error("key '", key, "' not found");
  return value;
}

template <typename T>
Result<T> with_key(std::string_view key, Result<T> result) {
  if (!result) return make_error("key '", key, "': ", result.error());
  return result;
}

// Converts every item of the array at `key` with `convert`, naming the key and item index on failure.
template <typename T, typename Convert>
Result<std::vector<T>> convert_array(const GgufFile& file, std::string_view key, std::string_view expected,
                                     Convert convert) {
  Result<const Value*> value = lookup(file, key);
  if (!value) return std::move(value).take_error();
  const Array* array = (*value)->as_array();
  if (!array) {
    return make_error("key '", key, "': expected an array of ", expected, " but found ",
                      value_type_name((*value)->type));
  }
  std::vector<T> out;
  out.reserve(array->items.size());
  for (size_t i = 0; i < array->items.size(); ++i) {
    Result<T> item = convert(array->items[i]);
    if (!item) {
      return make_error("key '", key, "': expected an array of ", expected, ", item ", i, ": ", item.error());
    }
    out.push_back(std::move(*item));
  }
  return out;
}

}  // namespace

Result<uint64_t> GgufFile::get_uint(std::string_view key) const {
  Result<const Value*> value = lookup(*this, key);
  if (!value) return std::move(value).take_error();
  return with_key(key, value_to_uint(**value));
}

Result<int64_t> GgufFile::get_int(std::string_view key) const {
  Result<const Value*> value = lookup(*this, key);
  if (!value) return std::move(value).take_error();
  return with_key(key, value_to_int(**value));
}

Result<double> GgufFile::get_float(std::string_view key) const {
  Result<const Value*> value = lookup(*this, key);
  if (!value) return std::move(value).take_error();
  return with_key(key, value_to_float(**value));
}

Result<bool> GgufFile::get_bool(std::string_view key) const {
  Result<const Value*> value = lookup(*this, key);
  if (!value) return std::move(value).take_error();
  if ((*value)->type != ValueType::BOOL) {
    return make_error("key '", key, "': expected BOOL but found ", value_type_name((*value)->type));
  }
  return std::get<bool>((*value)->data);
}

Result<std::string> GgufFile::get_string(std::string_view key) const {
  Result<const Value*> value = lookup(*this, key);
  if (!value) return std::move(value).take_error();
  if ((*value)->type != ValueType::STRING) {
    return make_error("key '", key, "': expected STRING but found ", value_type_name((*value)->type));
  }
  return std::get<std::string>((*value)->data);
}

Result<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
  return convert_array<int64_t>(*this, key, "integers", [](const Value& item) -> Result<int64_t> {
    if (item.type == ValueType::BOOL) return int64_t{std::get<bool>(item.data)};
    return value_to_int(item);
  });
}

Result<std::vector<double>> GgufFile::get_float_array(std::string_view key) const {
  return convert_array<double>(*this, key, "floats", value_to_float);
}

Result<std::vector<std::string>> GgufFile::get_string_array(std::string_view key) const {
  return convert_array<std::string>(*this, key, "strings", [](const Value& item) -> Result<std::string> {
    if (item.type != ValueType::STRING) return make_error("expected STRING but found ", value_type_name(item.type));
    return std::get<std::string>(item.data);
  });
}

}  // namespace hearth::gguf
