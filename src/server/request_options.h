#pragma once
// Request fields shared by the Ollama and OpenAI routes: the `options` map (spec/api.md §2.8), keep_alive
// (§2.9) and think, turned into engine settings. Errors are the 400 messages.
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/generation.h"
#include "engine/sampling_defaults.h"
#include "server/model_manager.h"

namespace hearth::server {

struct RequestSettings {
  engine::SamplingOptions sampling;
  std::optional<int64_t> num_ctx;
  std::optional<int32_t> num_keep;
  std::optional<int64_t> image_max_tokens;  // hearth's own (§2.8): the soft-token range of each image
  std::optional<int64_t> image_min_tokens;
  std::optional<int32_t> think_budget;  // hearth's own (§2.8): thinking tokens before the channel is closed
};

// Ollama `options` (or a manifest's parameters): known keys typed, unknown keys ignored as Ollama does.
// Image-token values outside 70, 140, 280, 560, 1120, or a minimum above the maximum, are errors.
Result<RequestSettings> settings_from_options(const nlohmann::json& options);
// `top` wins field by field; a set stop list replaces the lower one.
engine::SamplingOptions overlay(const engine::SamplingOptions& base, const engine::SamplingOptions& top);

Result<KeepAlive> parse_keep_alive(const nlohmann::json& value);

// `think`: absent = the model's default; true / "low" / "medium" / "high" / "max" = on; false = off.
Result<std::optional<bool>> parse_think(const nlohmann::json& request);

}  // namespace hearth::server
