#pragma once
// Where each sampling setting comes from: request options, then the model's recommended values, then the model
// family's, then SamplingParams' own defaults (Ollama's). Each field is resolved on its own, so a model that
// recommends only a temperature still gets its family's top_k.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/sampling_params.h"

namespace hearth::engine {

// One layer of settings; an empty field defers to the next layer.
struct SamplingOptions {
  std::optional<float> temperature;
  std::optional<int32_t> top_k;
  std::optional<float> top_p;
  std::optional<float> min_p;
  std::optional<float> typical_p;
  std::optional<float> repeat_penalty;
  std::optional<int32_t> repeat_last_n;
  std::optional<float> presence_penalty;
  std::optional<float> frequency_penalty;
  std::optional<int64_t> seed;  // taken modulo 2^32 as llama-server does, so -1 means random
  std::optional<std::vector<LogitBias>> logit_bias;
  std::optional<std::vector<std::string>> stop;  // a set list replaces the lower layers' list entirely
  std::optional<int32_t> num_predict;
  std::optional<int32_t> min_keep;
};

// Merges the layers, then applies llama-server's limits: temperature < 0 becomes 0, top_k < 0 becomes 0, top_p
// and min_p are clamped to [0, 1], a negative num_predict becomes -1 and empty stop strings are dropped.
// Errors (named by Ollama option name): non-finite numbers, repeat_penalty <= 0, repeat_last_n < -1,
// min_keep < 0, a bias that is NaN or +infinity.
Result<SamplingParams> resolve_sampling_params(const SamplingOptions& request, const SamplingOptions& model,
                                               const SamplingOptions& family);

// Recommended settings of a model family by GGUF `general.architecture`; empty for families without any.
// Gemma 4 (spec/sampling.md §8): temperature 1.0, top_k 64, top_p 0.95, min_p 0, no repetition penalty.
SamplingOptions family_sampling_defaults(std::string_view architecture);

// The model's recommended settings from GGUF `general.sampling.*` keys, given as full key -> numeric value
// (any GGUF numeric type widened to double). Reads temp, top_k, top_p, min_p, penalty_last_n and
// penalty_repeat; other keys are ignored because their samplers (XTC, mirostat, custom order) are not
// implemented. Fails on a non-finite value or an integer key whose value is not an int32.
Result<SamplingOptions> model_sampling_options(const std::map<std::string, double, std::less<>>& gguf_metadata);

}  // namespace hearth::engine
