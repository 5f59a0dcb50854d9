#pragma once
// The sampling settings of one request (spec/sampling.md §1), after defaults have been resolved.
//
// Name map (Ollama `options` key / OpenAI request field / llama-server field):
//   temperature        temperature        / temperature                     / temperature
//   top_k              top_k              / — (accepted as a top-level extra) / top_k
//   top_p              top_p              / top_p                           / top_p
//   min_p              min_p              / — (extra)                       / min_p
//   typical_p          typical_p          / — (extra)                       / typical_p
//   repeat_penalty     repeat_penalty     / — (extra)                       / repeat_penalty
//   repeat_last_n      repeat_last_n      / — (extra)                       / repeat_last_n
//   presence_penalty   presence_penalty   / presence_penalty                / presence_penalty
//   frequency_penalty  frequency_penalty  / frequency_penalty               / frequency_penalty
//   seed               seed               / seed                            / seed
//   logit_bias         — (not in Ollama)  / logit_bias {"id": bias}         / logit_bias
//   stop               stop               / stop (string or array)          / stop
//   num_predict        num_predict        / max_tokens, max_completion_tokens / n_predict
//   min_keep           —                  / —                               / min_keep
// OpenAI-style routes fill an absent `temperature` or `top_p` with 1.0 as a request value (Ollama does so too),
// so the model's recommended values apply there only when the client sends them.
#include <cstdint>
#include <string>
#include <vector>

namespace hearth::engine {

// Seed value meaning "draw a fresh seed" (llama.cpp LLAMA_DEFAULT_SEED; a request's -1 becomes this).
inline constexpr uint32_t kRandomSeed = 0xFFFFFFFFu;

struct LogitBias {
  int32_t token = 0;
  float bias = 0.0f;  // added to the token's logit; -infinity bans the token (OpenAI/llama.cpp `false`)
};

// Defaults are Ollama's api.DefaultOptions(), the last layer of resolution (sampling_defaults.h). llama.cpp's
// own defaults differ (top_p 0.95, min_p 0.05), but Ollama always sends its values, so Ollama users see these.
struct SamplingParams {
  float temperature = 0.8f;        // <= 0: greedy (argmax after bias, penalties and the filters)
  int32_t top_k = 40;              // <= 0: disabled
  float top_p = 0.9f;              // >= 1: disabled; 0 keeps one token
  float min_p = 0.0f;              // <= 0: disabled
  float typical_p = 1.0f;          // >= 1: disabled
  float repeat_penalty = 1.0f;     // 1: disabled; must be > 0
  int32_t repeat_last_n = 64;      // penalty window in tokens; 0: penalties off; -1: the whole history
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  uint32_t seed = kRandomSeed;     // see Sampler for what a fixed seed reproduces
  std::vector<LogitBias> logit_bias;  // entries for the same token add up
  std::vector<std::string> stop;   // never holds empty strings
  int32_t num_predict = -1;        // new-token budget; -1: unlimited; 0: evaluate the prompt only
  int32_t min_keep = 0;            // top_p, min_p and typical_p keep at least this many candidates
};

}  // namespace hearth::engine
