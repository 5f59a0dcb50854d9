#include "engine/sampling_defaults.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace hearth::engine {
namespace {

// First set value among the layers, else the global default.
template <typename T>
T pick(std::optional<T> SamplingOptions::*field, const SamplingOptions& request, const SamplingOptions& model,
       const SamplingOptions& family, T global_default) {
  for (const SamplingOptions* layer : {&request, &model, &family}) {
    if (layer->*field) return *(layer->*field);
  }
  return global_default;
}

Status require_finite(float value, const char* option) {
  if (!std::isfinite(value)) return make_error("option ", option, " must be a finite number");
  return Status::success();
}

Status check_limits(const SamplingParams& params) {
  for (auto [value, option] : {std::pair{params.temperature, "temperature"}, std::pair{params.top_p, "top_p"},
                               std::pair{params.min_p, "min_p"}, std::pair{params.typical_p, "typical_p"},
                               std::pair{params.repeat_penalty, "repeat_penalty"},
                               std::pair{params.presence_penalty, "presence_penalty"},
                               std::pair{params.frequency_penalty, "frequency_penalty"}}) {
    if (Status status = require_finite(value, option); !status) return status;
  }
  // The penalty divides positive logits, so its reciprocal must be finite too (llama-server's check).
  if (params.repeat_penalty <= 0.0f || !std::isfinite(1.0f / params.repeat_penalty)) {
    return make_error("option repeat_penalty must be greater than 0, got ", params.repeat_penalty);
  }
  if (params.repeat_last_n < -1) {
    return make_error("option repeat_last_n must be -1 (whole context) or >= 0, got ", params.repeat_last_n);
  }
  if (params.min_keep < 0) return make_error("option min_keep must be >= 0, got ", params.min_keep);
  for (const LogitBias& entry : params.logit_bias) {
    if (std::isnan(entry.bias) || entry.bias == std::numeric_limits<float>::infinity()) {
      return make_error("logit_bias for token ", entry.token, " must be a finite number or -infinity");
    }
  }
  return Status::success();
}

void clamp_soft_limits(SamplingParams& params) {
  params.temperature = std::max(params.temperature, 0.0f);
  params.top_k = std::max(params.top_k, 0);
  params.top_p = std::clamp(params.top_p, 0.0f, 1.0f);
  params.min_p = std::clamp(params.min_p, 0.0f, 1.0f);
  if (params.num_predict < 0) params.num_predict = -1;
  std::erase_if(params.stop, [](const std::string& stop) { return stop.empty(); });
}

Result<int32_t> to_int32(double value, std::string_view key) {
  if (!(value >= INT32_MIN && value <= INT32_MAX)) return make_error(key, ": ", value, " is not an int32");
  return static_cast<int32_t>(value);
}

Result<float> to_float(double value, std::string_view key) {
  if (!std::isfinite(value)) return make_error(key, ": ", value, " is not a finite number");
  return static_cast<float>(value);
}

}  // namespace

Result<SamplingParams> resolve_sampling_params(const SamplingOptions& request, const SamplingOptions& model,
                                               const SamplingOptions& family) {
  const SamplingParams global;
  SamplingParams params;
  params.temperature = pick(&SamplingOptions::temperature, request, model, family, global.temperature);
  params.top_k = pick(&SamplingOptions::top_k, request, model, family, global.top_k);
  params.top_p = pick(&SamplingOptions::top_p, request, model, family, global.top_p);
  params.min_p = pick(&SamplingOptions::min_p, request, model, family, global.min_p);
  params.typical_p = pick(&SamplingOptions::typical_p, request, model, family, global.typical_p);
  params.repeat_penalty = pick(&SamplingOptions::repeat_penalty, request, model, family, global.repeat_penalty);
  params.repeat_last_n = pick(&SamplingOptions::repeat_last_n, request, model, family, global.repeat_last_n);
  params.presence_penalty =
      pick(&SamplingOptions::presence_penalty, request, model, family, global.presence_penalty);
  params.frequency_penalty =
      pick(&SamplingOptions::frequency_penalty, request, model, family, global.frequency_penalty);
  params.seed = static_cast<uint32_t>(
      pick(&SamplingOptions::seed, request, model, family, static_cast<int64_t>(global.seed)));
  params.logit_bias = pick(&SamplingOptions::logit_bias, request, model, family, global.logit_bias);
  params.stop = pick(&SamplingOptions::stop, request, model, family, global.stop);
  params.num_predict = pick(&SamplingOptions::num_predict, request, model, family, global.num_predict);
  params.min_keep = pick(&SamplingOptions::min_keep, request, model, family, global.min_keep);

  if (Status status = check_limits(params); !status) return Error{status.error()};
  clamp_soft_limits(params);
  return params;
}

SamplingOptions family_sampling_defaults(std::string_view architecture) {
  SamplingOptions defaults;
  if (architecture == "gemma4") {
    defaults.temperature = 1.0f;
    defaults.top_k = 64;
    defaults.top_p = 0.95f;
    defaults.min_p = 0.0f;
    defaults.repeat_penalty = 1.0f;
  }
  return defaults;
}

Result<SamplingOptions> model_sampling_options(const std::map<std::string, double, std::less<>>& gguf_metadata) {
  SamplingOptions options;
  const auto read_float = [&](std::string_view key, std::optional<float>& field) -> Status {
    auto found = gguf_metadata.find(key);
    if (found == gguf_metadata.end()) return Status::success();
    Result<float> value = to_float(found->second, key);
    if (!value) return std::move(value).take_error();
    field = *value;
    return Status::success();
  };
  const auto read_int = [&](std::string_view key, std::optional<int32_t>& field) -> Status {
    auto found = gguf_metadata.find(key);
    if (found == gguf_metadata.end()) return Status::success();
    Result<int32_t> value = to_int32(found->second, key);
    if (!value) return std::move(value).take_error();
    field = *value;
    return Status::success();
  };
  for (Status status : {read_float("general.sampling.temp", options.temperature),
                        read_int("general.sampling.top_k", options.top_k),
                        read_float("general.sampling.top_p", options.top_p),
                        read_float("general.sampling.min_p", options.min_p),
                        read_int("general.sampling.penalty_last_n", options.repeat_last_n),
                        read_float("general.sampling.penalty_repeat", options.repeat_penalty)}) {
    if (!status) return Error{status.error()};
  }
  return options;
}

}  // namespace hearth::engine
