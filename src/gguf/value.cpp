#include "gguf/value.h"

#include <array>
#include <limits>
#include <sstream>

namespace hearth::gguf {
namespace {

constexpr std::array<std::string_view, 13> kTypeNames = {
    "UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "FLOAT32",
    "BOOL", "STRING", "ARRAY", "UINT64", "INT64", "FLOAT64",
};

// Inclusive range an integer of the given type can hold.
struct IntegerRange {
  int64_t min;
  uint64_t max;
};

IntegerRange integer_range(ValueType type) {
  switch (type) {
    case ValueType::UINT8: return {0, 0xFF};
    case ValueType::INT8: return {-128, 127};
    case ValueType::UINT16: return {0, 0xFFFF};
    case ValueType::INT16: return {-32768, 32767};
    case ValueType::UINT32: return {0, 0xFFFFFFFFu};
    case ValueType::INT32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case ValueType::UINT64: return {0, std::numeric_limits<uint64_t>::max()};
    default: return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

Error type_mismatch(const Value& value, std::string_view expected) {
  return make_error("expected ", expected, " but found ", value_type_name(value.type));
}

}  // namespace

std::string_view value_type_name(ValueType type) {
  const auto id = static_cast<uint32_t>(type);
  return id < kTypeNames.size() ? kTypeNames[id] : std::string_view("INVALID");
}

std::optional<ValueType> value_type_from_id(uint32_t id) {
  if (id >= kTypeNames.size()) return std::nullopt;
  return static_cast<ValueType>(id);
}

bool is_signed_integer_type(ValueType type) {
  return type == ValueType::INT8 || type == ValueType::INT16 || type == ValueType::INT32 ||
         type == ValueType::INT64;
}

bool is_integer_type(ValueType type) {
  return is_signed_integer_type(type) || type == ValueType::UINT8 || type == ValueType::UINT16 ||
         type == ValueType::UINT32 || type == ValueType::UINT64;
}

Value Value::string_array(const std::vector<std::string>& strings) {
  std::vector<Value> items;
  items.reserve(strings.size());
  for (const std::string& s : strings) items.push_back(Value::string(s));
  return array(ValueType::STRING, std::move(items));
}

Result<uint64_t> value_to_uint(const Value& value) {
  if (!is_integer_type(value.type)) return type_mismatch(value, "an integer");
  if (const auto* u = std::get_if<uint64_t>(&value.data)) return *u;
  const int64_t s = std::get<int64_t>(value.data);
  if (s < 0) return make_error("expected a non-negative integer but found ", s);
  return static_cast<uint64_t>(s);
}

Result<int64_t> value_to_int(const Value& value) {
  if (!is_integer_type(value.type)) return type_mismatch(value, "an integer");
  if (const auto* s = std::get_if<int64_t>(&value.data)) return *s;
  const uint64_t u = std::get<uint64_t>(value.data);
  if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return make_error("value ", u, " does not fit in a signed 64-bit integer");
  }
  return static_cast<int64_t>(u);
}

Result<double> value_to_float(const Value& value) {
  if (value.type != ValueType::FLOAT32 && value.type != ValueType::FLOAT64) {
    return type_mismatch(value, "FLOAT32 or FLOAT64");
  }
  return std::get<double>(value.data);
}

Status check_value(const Value& value) {
  const std::string_view name = value_type_name(value.type);
  if (!value_type_from_id(static_cast<uint32_t>(value.type))) {
    return make_error("invalid value type id ", static_cast<uint32_t>(value.type));
  }
  if (is_integer_type(value.type)) {
    const IntegerRange range = integer_range(value.type);
    if (is_signed_integer_type(value.type)) {
      const auto* s = std::get_if<int64_t>(&value.data);
      if (!s) return make_error(name, " value must hold a signed integer");
      if (*s < range.min || (*s > 0 && static_cast<uint64_t>(*s) > range.max)) {
        return make_error("value ", *s, " is out of range for ", name);
      }
    } else {
      const auto* u = std::get_if<uint64_t>(&value.data);
      if (!u) return make_error(name, " value must hold an unsigned integer");
      if (*u > range.max) return make_error("value ", *u, " is out of range for ", name);
    }
    return Status::success();
  }
  switch (value.type) {
    case ValueType::FLOAT32:
    case ValueType::FLOAT64:
      if (!std::holds_alternative<double>(value.data)) return make_error(name, " value must hold a double");
      return Status::success();
    case ValueType::BOOL:
      if (!std::holds_alternative<bool>(value.data)) return make_error(name, " value must hold a bool");
      return Status::success();
    case ValueType::STRING:
      if (!std::holds_alternative<std::string>(value.data)) return make_error(name, " value must hold a string");
      return Status::success();
    default:
      break;
  }
  const Array* array = value.as_array();
  if (!array) return make_error("ARRAY value must hold an Array");
  for (size_t i = 0; i < array->items.size(); ++i) {
    const Value& item = array->items[i];
    if (item.type != array->element_type) {
      return make_error("array item ", i, " is ", value_type_name(item.type), " in an array of ",
                        value_type_name(array->element_type));
    }
    if (Status item_status = check_value(item); !item_status) {
      return make_error("array item ", i, ": ", item_status.error());
    }
  }
  return Status::success();
}

std::string format_value(const Value& value, size_t max_items) {
  std::ostringstream out;
  if (const auto* u = std::get_if<uint64_t>(&value.data)) {
    out << *u;
  } else if (const auto* s = std::get_if<int64_t>(&value.data)) {
    out << *s;
  } else if (const auto* d = std::get_if<double>(&value.data)) {
    out << *d;
  } else if (const auto* b = std::get_if<bool>(&value.data)) {
    out << (*b ? "true" : "false");
  } else if (const auto* str = std::get_if<std::string>(&value.data)) {
    out << '"' << *str << '"';
  } else {
    const Array& array = std::get<Array>(value.data);
    out << value_type_name(array.element_type) << '[' << array.items.size() << "] [";
    for (size_t i = 0; i < array.items.size() && i < max_items; ++i) {
      out << (i ? ", " : "") << format_value(array.items[i], max_items);
    }
    if (array.items.size() > max_items) out << ", ...";
    out << ']';
  }
  return out.str();
}

}  // namespace hearth::gguf
