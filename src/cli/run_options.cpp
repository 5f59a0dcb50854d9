#include "cli/run_options.h"

#include <charconv>
#include <cmath>

#include "models/gemma4/vision_preprocess.h"

namespace hearth::cli {
namespace {

template <typename T>
Result<T> parse_number(const std::string& name, const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [used, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || used != end) return make_error("parameter ", name, ": '", text, "' is not a valid number");
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return make_error("parameter ", name, ": '", text, "' is not finite");
  }
  return value;
}

template <typename T, typename Target>
Status assign(const std::string& name, const std::string& text, Target& target) {
  Result<T> value = parse_number<T>(name, text);
  if (!value) return make_error(value.error());
  target = *value;
  return Status::success();
}

}  // namespace

const char* run_option_names() {
  return "temperature, top_k, top_p, min_p, typical_p, repeat_penalty, repeat_last_n, presence_penalty, "
         "frequency_penalty, seed, num_predict, num_ctx, stop, image_max_tokens, image_min_tokens, think_budget";
}

Status set_run_option(RunSettings& settings, const std::string& name, const std::string& value) {
  engine::SamplingOptions& s = settings.sampling;
  if (name == "temperature") return assign<float>(name, value, s.temperature);
  if (name == "top_k") return assign<int32_t>(name, value, s.top_k);
  if (name == "top_p") return assign<float>(name, value, s.top_p);
  if (name == "min_p") return assign<float>(name, value, s.min_p);
  if (name == "typical_p") return assign<float>(name, value, s.typical_p);
  if (name == "repeat_penalty") return assign<float>(name, value, s.repeat_penalty);
  if (name == "repeat_last_n") return assign<int32_t>(name, value, s.repeat_last_n);
  if (name == "presence_penalty") return assign<float>(name, value, s.presence_penalty);
  if (name == "frequency_penalty") return assign<float>(name, value, s.frequency_penalty);
  if (name == "seed") return assign<int64_t>(name, value, s.seed);
  if (name == "num_predict") return assign<int32_t>(name, value, s.num_predict);
  if (name == "num_ctx") {
    Result<int64_t> n = parse_number<int64_t>(name, value);
    if (!n) return make_error(n.error());
    if (*n < 1) return make_error("parameter num_ctx: must be at least 1");
    settings.num_ctx = *n;
    return Status::success();
  }
  if (name == "image_max_tokens" || name == "image_min_tokens") {
    Result<int64_t> n = parse_number<int64_t>(name, value);
    if (!n) return make_error(n.error());
    if (Status valid = models::gemma4::check_token_budget("parameter " + name, *n); !valid) return valid;
    (name == "image_max_tokens" ? settings.image_max_tokens : settings.image_min_tokens) = *n;
    return Status::success();
  }
  if (name == "think_budget") {
    Result<int32_t> n = parse_number<int32_t>(name, value);
    if (!n) return make_error(n.error());
    if (*n < -1) return make_error("parameter think_budget: -1 (no limit) or at least 0");
    settings.think_budget = *n;
    return Status::success();
  }
  if (name == "stop") {
    if (value.empty()) return make_error("parameter stop: the stop string is empty");
    if (!s.stop) s.stop.emplace();
    s.stop->push_back(value);
    return Status::success();
  }
  return make_error("unknown parameter '", name, "' (known: ", run_option_names(), ")");
}

}  // namespace hearth::cli
