#pragma once
// The settings of a `hearth run` session: the request-level sampling options plus the options that shape the
// session itself, settable from flags and from `/set parameter NAME VALUE` by Ollama's option names.
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "engine/sampling_defaults.h"

namespace hearth::cli {

enum class ThinkMode { model_default, on, off };

struct RunSettings {
  engine::SamplingOptions sampling;
  int64_t num_ctx = 0;  // 0: the default (4096, capped to the model's training context)
  std::optional<int32_t> think_budget;  // thinking tokens before the channel is closed; unset: no limit
  std::optional<int64_t> image_max_tokens;  // unset: the model's parameter, else the default (560)
  std::optional<int64_t> image_min_tokens;
  ThinkMode think = ThinkMode::model_default;
  bool hide_thinking = false;
  bool verbose = false;
  std::string system;
};

// Sets one Ollama option by name from its text form; `stop` adds a stop string. Errors name the option.
Status set_run_option(RunSettings& settings, const std::string& name, const std::string& value);

// The option names set_run_option understands, for help text.
const char* run_option_names();

}  // namespace hearth::cli
