#pragma once
// GGUF metadata values (spec/gguf.md §4): scalars, strings and (possibly nested) arrays.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace hearth::gguf {

enum class ValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

std::string_view value_type_name(ValueType type);
std::optional<ValueType> value_type_from_id(uint32_t id);  // nullopt outside 0..12
bool is_integer_type(ValueType type);
bool is_signed_integer_type(ValueType type);

struct Value;
struct Array {
  ValueType element_type = ValueType::UINT8;
  std::vector<Value> items;
};

// One metadata value. Integers are held widened (unsigned in uint64_t, signed in int64_t), floats in double,
// with `type` remembering the type stored in the file.
struct Value {
  ValueType type = ValueType::UINT8;
  std::variant<uint64_t, int64_t, double, bool, std::string, Array> data;

  static Value u8(uint8_t v) { return {ValueType::UINT8, uint64_t{v}}; }
  static Value i8(int8_t v) { return {ValueType::INT8, int64_t{v}}; }
  static Value u16(uint16_t v) { return {ValueType::UINT16, uint64_t{v}}; }
  static Value i16(int16_t v) { return {ValueType::INT16, int64_t{v}}; }
  static Value u32(uint32_t v) { return {ValueType::UINT32, uint64_t{v}}; }
  static Value i32(int32_t v) { return {ValueType::INT32, int64_t{v}}; }
  static Value u64(uint64_t v) { return {ValueType::UINT64, v}; }
  static Value i64(int64_t v) { return {ValueType::INT64, v}; }
  static Value f32(float v) { return {ValueType::FLOAT32, double{v}}; }
  static Value f64(double v) { return {ValueType::FLOAT64, v}; }
  static Value boolean(bool v) { return {ValueType::BOOL, v}; }
  static Value string(std::string v) { return {ValueType::STRING, std::move(v)}; }
  static Value array(ValueType element_type, std::vector<Value> items) {
    return {ValueType::ARRAY, Array{element_type, std::move(items)}};
  }
  static Value string_array(const std::vector<std::string>& strings);

  // The array payload, or nullptr for scalars and strings.
  const Array* as_array() const { return std::get_if<Array>(&data); }
};

struct KeyValue {
  std::string key;
  Value value;
};

// Conversions with range-checked widening. Errors say what was found and what was expected, without naming a
// key (callers add that).
Result<uint64_t> value_to_uint(const Value& value);  // any integer type, must be >= 0
Result<int64_t> value_to_int(const Value& value);    // any integer type, must fit in int64
Result<double> value_to_float(const Value& value);   // FLOAT32 or FLOAT64

// Checks that `data` holds the alternative `type` calls for, in range (e.g. a UINT8 holds at most 255), and
// that arrays are homogeneous. Values read from a file always pass; hand-built ones are checked before writing.
Status check_value(const Value& value);

// Short human-readable rendering for tools: strings quoted, arrays show their first `max_items` items.
std::string format_value(const Value& value, size_t max_items = 8);

}  // namespace hearth::gguf
