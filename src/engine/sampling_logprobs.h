#pragma once
// Per-token log-probabilities for the API's `logprobs` / `top_logprobs` (spec/api.md).
//
// They describe the model's own distribution: log-softmax of the raw logits at temperature 1, before logit
// bias, penalties, filters and temperature. That is what llama-server reports by default (and so Ollama), and
// what OpenAI's logprobs mean; a token banned by logit_bias still shows its model probability.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hearth::engine {

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

struct StepLogprobs {
  TokenLogprob chosen;
  std::vector<TokenLogprob> top;  // most likely first; equal logprobs put the smaller token first
};

// `top_n` alternatives (fewer if the vocabulary is smaller); `chosen_token` must be in range. Computed in
// log space (logit - max - log sum exp), so tiny probabilities stay finite. NaN logits count as -infinity,
// as in the sampler.
StepLogprobs compute_logprobs(std::span<const float> logits, int32_t chosen_token, size_t top_n);

}  // namespace hearth::engine
