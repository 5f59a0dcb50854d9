#pragma once
// GGUF metadata values (spec/gguf.md §4): scalars, strings and (possibly nested) arrays.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hearth::gguf {

enum class ValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

std::string_view value_type_name(ValueType type);

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

  static Value u32(uint32_t v) { return {ValueType::UINT32, uint64_t{v}}; }
  static Value i32(int32_t v) { return {ValueType::INT32, int64_t{v}}; }
  static Value u64(uint64_t v) { return {ValueType::UINT64, v}; }
  static Value f32(float v) { return {ValueType::FLOAT32, double{v}}; }
  static Value boolean(bool v) { return {ValueType::BOOL, v}; }
  static Value string(std::string v) { return {ValueType::STRING, std::move(v)}; }
  static Value array(ValueType element_type, std::vector<Value> items) {
    return {ValueType::ARRAY, Array{element_type, std::move(items)}};
  }
};

struct KeyValue {
  std::string key;
  Value value;
};

}  // namespace hearth::gguf
