#include "chat/jinja_compat.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace hearth::chat::jinja {
namespace {

// The exact format of Python's float repr: shortest round-trip digits, positional notation while the
// decimal exponent is in [-4, 16), otherwise d.ddde±XX.
std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view scientific(buffer, static_cast<size_t>(result.ptr - buffer));

  std::string out;
  if (scientific.front() == '-') {
    out += '-';
    scientific.remove_prefix(1);
  }
  const size_t exponent_at = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, exponent_at)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(std::string(scientific.substr(exponent_at + 1)).c_str());
  const int point = exponent + 1;  // digits before the decimal point
  const int digit_count = static_cast<int>(digits.size());

  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out += "0." + std::string(static_cast<size_t>(-point), '0') + digits;
    } else if (point >= digit_count) {
      out += digits + std::string(static_cast<size_t>(point - digit_count), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
    }
    return out;
  }
  out += digits[0];
  if (digit_count > 1) {
    out += '.';
    out += digits.substr(1);
  }
  char exponent_text[16];
  std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exponent_text;
}

// Python's repr() of a str, as it appears inside a printed list or dict.
std::string python_repr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == quote) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + quote;
}

std::string python_literal(const nlohmann::json& value) {
  return value.is_string() ? python_repr(value.get_ref<const std::string&>()) : python_str(value);
}

bool is_python_space(uint32_t code_point) {
  return (code_point >= 0x09 && code_point <= 0x0d) || (code_point >= 0x1c && code_point <= 0x20) ||
         code_point == 0x85 || code_point == 0xa0 || code_point == 0x1680 ||
         (code_point >= 0x2000 && code_point <= 0x200a) || code_point == 0x2028 || code_point == 0x2029 ||
         code_point == 0x202f || code_point == 0x205f || code_point == 0x3000;
}

// Decodes the UTF-8 sequence at text[at] (of `length` bytes); invalid input decodes to a non-space value.
uint32_t decode_at(std::string_view text, size_t at, size_t length) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (length == 1) return lead < 0x80 ? lead : 0xfffd;
  uint32_t code_point = lead & (0x7f >> length);
  for (size_t i = 1; i < length; ++i)
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3f);
  return code_point;
}

size_t sequence_length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

std::string_view lstrip(std::string_view text) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t length = sequence_length(static_cast<unsigned char>(text[at]));
    if (length > text.size() - at || !is_python_space(decode_at(text, at, length))) break;
    at += length;
  }
  return text.substr(at);
}

std::string_view rstrip(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xc0) == 0x80) --start;
    const size_t length = end - start;
    if (sequence_length(static_cast<unsigned char>(text[start])) != length) break;  // invalid UTF-8
    if (!is_python_space(decode_at(text, start, length))) break;
    end = start;
  }
  return text.substr(0, end);
}

}  // namespace

std::string python_str(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "None";
    case nlohmann::json::value_t::boolean: return value.get<bool>() ? "True" : "False";
    case nlohmann::json::value_t::number_integer: return std::to_string(value.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return std::to_string(value.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return python_float(value.get<double>());
    case nlohmann::json::value_t::string: return value.get<std::string>();
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + python_literal(value[i]);
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        out += (first ? "" : ", ") + python_repr(key) + ": " + python_literal(item);
        first = false;
      }
      return out + "}";
    }
    default: return "";
  }
}

std::string_view strip(std::string_view text) { return rstrip(lstrip(text)); }

bool truthy(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return false;
    case nlohmann::json::value_t::boolean: return value.get<bool>();
    case nlohmann::json::value_t::number_integer: return value.get<int64_t>() != 0;
    case nlohmann::json::value_t::number_unsigned: return value.get<uint64_t>() != 0;
    case nlohmann::json::value_t::number_float: return value.get<double>() != 0.0;
    case nlohmann::json::value_t::string:
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::object: return !value.empty();
    default: return false;
  }
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::vector<std::pair<std::string, const nlohmann::json*>> dictsort(const nlohmann::json& object) {
  std::vector<std::pair<std::string, const nlohmann::json*>> items;
  for (const auto& [key, item] : object.items()) items.emplace_back(key, &item);
  const auto folded = [](const std::string& key) {
    std::string out = key;
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  };
  std::stable_sort(items.begin(), items.end(),
                   [&](const auto& a, const auto& b) { return folded(a.first) < folded(b.first); });
  return items;
}

std::vector<nlohmann::json> iterate(const nlohmann::json& value) {
  std::vector<nlohmann::json> items;
  if (value.is_array()) {
    items.assign(value.begin(), value.end());
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) items.emplace_back(key);
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    for (size_t at = 0; at < text.size();) {
      const size_t length = std::min(sequence_length(static_cast<unsigned char>(text[at])), text.size() - at);
      items.emplace_back(text.substr(at, length));
      at += length;
    }
  }
  return items;
}

const nlohmann::json* lookup(const nlohmann::json& value, std::string_view key) {
  if (!value.is_object()) return nullptr;
  const auto found = value.find(key);
  return found == value.end() ? nullptr : &*found;
}

}  // namespace hearth::chat::jinja
