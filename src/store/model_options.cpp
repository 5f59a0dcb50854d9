#include "store/model_options.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace hearth::store {
namespace {

using nlohmann::json;

struct OptionSpec {
  std::string_view name;
  OptionType type;
};

constexpr std::array kOptions = {
    OptionSpec{"num_keep", OptionType::integer},        OptionSpec{"seed", OptionType::integer},
    OptionSpec{"num_predict", OptionType::integer},     OptionSpec{"top_k", OptionType::integer},
    OptionSpec{"top_p", OptionType::number},            OptionSpec{"min_p", OptionType::number},
    OptionSpec{"typical_p", OptionType::number},        OptionSpec{"repeat_last_n", OptionType::integer},
    OptionSpec{"temperature", OptionType::number},      OptionSpec{"repeat_penalty", OptionType::number},
    OptionSpec{"presence_penalty", OptionType::number}, OptionSpec{"frequency_penalty", OptionType::number},
    OptionSpec{"stop", OptionType::string_list},        OptionSpec{"num_ctx", OptionType::integer},
    OptionSpec{"num_batch", OptionType::integer},       OptionSpec{"num_gpu", OptionType::integer},
    OptionSpec{"main_gpu", OptionType::integer},        OptionSpec{"use_mmap", OptionType::boolean},
    OptionSpec{"num_thread", OptionType::integer},      OptionSpec{"draft_num_predict", OptionType::integer},
    // hearth's own (spec/api.md §2.8)
    OptionSpec{"image_max_tokens", OptionType::integer}, OptionSpec{"image_min_tokens", OptionType::integer},
    OptionSpec{"think_budget", OptionType::integer},
};

constexpr std::array<std::string_view, 9> kDeprecated = {
    "penalize_newline", "low_vram", "f16_kv", "logits_all", "vocab_only",
    "use_mlock", "mirostat", "mirostat_tau", "mirostat_eta",
};

const char* type_name(OptionType type) {
  switch (type) {
    case OptionType::integer: return "an integer";
    case OptionType::number: return "a number";
    case OptionType::boolean: return "a boolean";
    case OptionType::string_list: return "a list of strings";
  }
  return "a value";
}

Result<json> parse_integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return make_error("not an integer");
  return json(value);
}

Result<json> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return make_error("not a finite number");
  }
  return json(value);
}

// Go's strconv.ParseBool, which Ollama uses for PARAMETER values.
Result<json> parse_boolean(std::string_view text) {
  for (std::string_view yes : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (text == yes) return json(true);
  }
  for (std::string_view no : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (text == no) return json(false);
  }
  return make_error("not a boolean");
}

Result<json> parse_text(std::string_view text, OptionType type) {
  switch (type) {
    case OptionType::integer: return parse_integer(text);
    case OptionType::number: return parse_number(text);
    case OptionType::boolean: return parse_boolean(text);
    case OptionType::string_list: break;
  }
  return json::array({std::string(text)});
}

Result<json> convert_json(const json& value, OptionType type) {
  switch (type) {
    case OptionType::integer:
      if (value.is_number_integer()) return json(value.get<int64_t>());
      if (value.is_number_float()) {
        const double number = value.get<double>();
        // 2^63 is exactly representable, so the comparison cannot round a too-large value into range.
        if (std::trunc(number) == number && number >= -9223372036854775808.0 && number < 9223372036854775808.0) {
          return json(static_cast<int64_t>(number));
        }
      }
      break;
    case OptionType::number:
      if (value.is_number()) return json(value.get<double>());
      break;
    case OptionType::boolean:
      if (value.is_boolean()) return value;
      break;
    case OptionType::string_list:
      if (value.is_string()) return json::array({value});
      if (value.is_array() &&
          std::all_of(value.begin(), value.end(), [](const json& item) { return item.is_string(); })) {
        return value;
      }
      break;
  }
  return make_error("must be ", type_name(type));
}

}  // namespace

Result<OptionType> option_type(std::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.name == name) return spec.type;
  }
  return make_error("unknown parameter '", name, "'");
}

bool is_deprecated_option(std::string_view name) {
  return std::find(kDeprecated.begin(), kDeprecated.end(), name) != kDeprecated.end();
}

Status add_parameter(json& parameters, std::string_view name, std::string_view value) {
  Result<OptionType> type = option_type(name);
  if (!type.ok()) return std::move(type).take_error();
  Result<json> parsed = parse_text(value, *type);
  if (!parsed.ok()) {
    return make_error("invalid value '", value, "' for parameter '", name, "': ", parsed.error());
  }
  const std::string key(name);
  if (*type == OptionType::string_list && parameters.contains(key) && parameters[key].is_array()) {
    parameters[key].push_back(std::string(value));
  } else {
    parameters[key] = std::move(*parsed);
  }
  return Status::success();
}

Result<json> normalize_parameters(const json& options, bool strict, std::vector<std::string>* dropped) {
  if (!options.is_object()) return make_error("parameters must be a JSON object");
  json normalized = json::object();
  for (const auto& [name, value] : options.items()) {
    Result<OptionType> type = option_type(name);
    Result<json> converted = type.ok() ? convert_json(value, *type) : Result<json>(make_error("is not a known option"));
    if (converted.ok()) {
      normalized[name] = std::move(*converted);
      continue;
    }
    if (strict && !(value.is_null() || is_deprecated_option(name))) {
      return make_error("parameter '", name, "' ", converted.error());
    }
    if (dropped != nullptr) dropped->push_back(name);
  }
  return normalized;
}

}  // namespace hearth::store
