#include "server/request_options.h"

#include <cmath>
#include <cstdlib>
#include <regex>

#include "models/gemma4/vision_preprocess.h"
#include "store/model_options.h"

namespace hearth::server {
namespace {

template <typename T>
void take(const nlohmann::json& normalized, const char* key, std::optional<T>& target) {
  if (normalized.contains(key)) target = normalized[key].get<T>();
}

}  // namespace

Result<RequestSettings> settings_from_options(const nlohmann::json& options) {
  if (options.is_null()) return RequestSettings{};
  if (!options.is_object()) return make_error("options must be an object");
  nlohmann::json known = nlohmann::json::object();
  for (const auto& [key, value] : options.items()) {
    if (store::option_type(key)) known[key] = value;
  }
  Result<nlohmann::json> normalized = store::normalize_parameters(known, true);
  if (!normalized) return make_error(normalized.error());
  const nlohmann::json& n = *normalized;
  RequestSettings settings;
  engine::SamplingOptions& s = settings.sampling;
  take(n, "temperature", s.temperature);
  take(n, "top_k", s.top_k);
  take(n, "top_p", s.top_p);
  take(n, "min_p", s.min_p);
  take(n, "typical_p", s.typical_p);
  take(n, "repeat_penalty", s.repeat_penalty);
  take(n, "repeat_last_n", s.repeat_last_n);
  take(n, "presence_penalty", s.presence_penalty);
  take(n, "frequency_penalty", s.frequency_penalty);
  take(n, "seed", s.seed);
  take(n, "num_predict", s.num_predict);
  take(n, "stop", s.stop);
  take(n, "num_ctx", settings.num_ctx);
  take(n, "num_keep", settings.num_keep);
  take(n, "image_max_tokens", settings.image_max_tokens);
  take(n, "image_min_tokens", settings.image_min_tokens);
  take(n, "think_budget", settings.think_budget);
  if (settings.think_budget && *settings.think_budget < -1) return make_error("think_budget must be -1 (no limit) or at least 0");
  for (const auto& [name, value] : {std::pair{"image_max_tokens", settings.image_max_tokens}, std::pair{"image_min_tokens", settings.image_min_tokens}}) {
    if (!value) continue;
    if (Status valid = models::gemma4::check_token_budget(name, *value); !valid) return Error{valid.error()};
  }
  if (settings.image_min_tokens && settings.image_max_tokens && *settings.image_min_tokens > *settings.image_max_tokens) {
    return make_error("image_min_tokens (", *settings.image_min_tokens, ") is above image_max_tokens (", *settings.image_max_tokens, ")");
  }
  return settings;
}

engine::SamplingOptions overlay(const engine::SamplingOptions& base, const engine::SamplingOptions& top) {
  engine::SamplingOptions out = base;
  auto pick = [](auto& target, const auto& value) {
    if (value) target = value;
  };
  pick(out.temperature, top.temperature);
  pick(out.top_k, top.top_k);
  pick(out.top_p, top.top_p);
  pick(out.min_p, top.min_p);
  pick(out.typical_p, top.typical_p);
  pick(out.repeat_penalty, top.repeat_penalty);
  pick(out.repeat_last_n, top.repeat_last_n);
  pick(out.presence_penalty, top.presence_penalty);
  pick(out.frequency_penalty, top.frequency_penalty);
  pick(out.seed, top.seed);
  pick(out.logit_bias, top.logit_bias);
  pick(out.stop, top.stop);
  pick(out.num_predict, top.num_predict);
  pick(out.min_keep, top.min_keep);
  return out;
}

namespace {

// Past a century the model stays loaded for good; capping here also keeps the seconds within int64.
constexpr double kForeverSeconds = 100.0 * 365 * 24 * 3600;

KeepAlive keep_for(double seconds) {
  KeepAlive keep;
  if (seconds >= kForeverSeconds) {
    keep.forever = true;
  } else {
    keep.duration = std::chrono::seconds(static_cast<int64_t>(seconds));
  }
  return keep;
}

}  // namespace

Result<KeepAlive> parse_keep_alive(const nlohmann::json& value) {
  if (value.is_null()) return KeepAlive{};
  if (value.is_number()) {
    const double seconds = value.get<double>();
    if (!std::isfinite(seconds)) return make_error("keep_alive must be finite");
    return seconds < 0 ? KeepAlive{std::nullopt, true} : keep_for(seconds);
  }
  if (!value.is_string()) return make_error("keep_alive must be a duration string or a number of seconds");
  const std::string text = value.get<std::string>();
  // Go duration syntax: an optional sign and number-unit pairs ("1h30m", "-1m", "10s", "0").
  static const std::regex duration(R"(^(-?)((?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+|0)$)");
  std::smatch match;
  if (!std::regex_match(text, match, duration)) return make_error("keep_alive: invalid duration '", text, "'");
  if (match[1].length() > 0) return KeepAlive{std::nullopt, true};
  static const std::regex part(R"((\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns))");
  double seconds = 0.0;
  const std::string body = match[2].str();
  for (auto it = std::sregex_iterator(body.begin(), body.end(), part); it != std::sregex_iterator(); ++it) {
    // strtod, not stod: a number too long for a double becomes infinity (forever) instead of throwing.
    const double number = std::strtod((*it)[1].str().c_str(), nullptr);
    const std::string unit = (*it)[2].str();
    seconds += unit == "h" ? number * 3600 : unit == "m" ? number * 60 : unit == "s" ? number : unit == "ms" ? number / 1e3 : number / 1e6;
  }
  return keep_for(seconds);
}

Result<std::optional<bool>> parse_think(const nlohmann::json& request) {
  const auto it = request.find("think");
  if (it == request.end() || it->is_null()) return std::optional<bool>{};
  if (it->is_boolean()) return std::optional<bool>{it->get<bool>()};
  if (it->is_string()) {
    const std::string level = it->get<std::string>();
    if (level == "low" || level == "medium" || level == "high" || level == "max") return std::optional<bool>{true};
    return make_error("invalid think value: '", level, "' (expected true, false, low, medium, high or max)");
  }
  return make_error("think must be a boolean or a level string");
}

}  // namespace hearth::server
