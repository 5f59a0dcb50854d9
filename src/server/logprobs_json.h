#pragma once
// Per-token log-probabilities as both APIs print them: [{token, logprob, bytes, top_logprobs: [...]}, ...]
// (Ollama's `logprobs`, OpenAI's `logprobs.content`).
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/generation.h"
#include "tokenizer/tokenizer.h"

namespace hearth::server {

nlohmann::json logprobs_json(const tokenizer::Tokenizer& tokenizer, const std::vector<engine::TokenEvent>& tokens);

}  // namespace hearth::server
