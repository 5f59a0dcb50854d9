#pragma once
// What a client asks the scheduler for and what it gets back, independent of the HTTP or CLI front end.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/grammar/token_constraint.h"
#include "engine/sampling_logprobs.h"
#include "engine/sampling_params.h"

namespace hearth::engine {

struct Prompt {
  std::vector<int32_t> tokens;
  // Soft tokens from an encoder (image / audio): row i replaces tokens[embedding_indices[i]], whose id is
  // only a placeholder. Indices are increasing; rows are [embedding_indices.size(), n_embd].
  std::vector<int32_t> embedding_indices;
  std::vector<float> embeddings;
  // Index ranges [begin, end) whose tokens attend to each other in both directions (an image's soft
  // tokens, spec/gemma4.md §7.3); each is evaluated within one forward pass.
  std::vector<std::pair<int32_t, int32_t>> bidirectional_spans;
};

enum class ContextOverflow {
  truncate,  // keep the first num_keep tokens and the newest rest, as Ollama does
  error,
};

struct TokenEvent {
  int32_t token = 0;
  // Text this token releases: whole UTF-8 characters, with anything that may still become a stop string
  // held back. Often empty; the text held back at the end comes with the GenerationResult.
  std::string text;
  std::optional<StepLogprobs> logprobs;
};

enum class FinishReason { stop, length, cancelled, error };

struct GenerationResult {
  FinishReason reason = FinishReason::stop;
  std::string error;       // FinishReason::error
  std::string final_text;  // held-back text released at the end (after the last TokenEvent)
  bool context_full = false;  // length: the context ran out rather than num_predict
  int64_t prompt_tokens = 0;
  int64_t cached_prompt_tokens = 0;  // of prompt_tokens, reused from an earlier request's cache
  int64_t generated_tokens = 0;
  int64_t truncated_tokens = 0;  // dropped from an over-long prompt
  double queue_seconds = 0.0;
  double prompt_seconds = 0.0;
  double generation_seconds = 0.0;
  uint32_t seed = 0;
};

// The chat format's thinking channel, by token id (see ReasoningGate).
struct ReasoningControl {
  int32_t open = -1;
  int32_t close = -1;
  int32_t budget = -1;  // thinking tokens before the channel is closed for the model; -1: no limit
};

struct GenerationRequest {
  Prompt prompt;
  SamplingParams sampling;
  int64_t num_ctx = 0;  // 0: the scheduler's per-sequence context; larger values are capped to it
  int32_t num_keep = 4;
  ContextOverflow overflow = ContextOverflow::truncate;
  size_t top_logprobs = 0;  // alternatives per token when logprobs are wanted
  bool logprobs = false;
  // Output grammar (JSON schema / JSON mode): masks the logits before sampling; generation ends when the
  // value is complete and nothing may follow.
  std::shared_ptr<grammar::TokenConstraint> constraint;
  std::optional<ReasoningControl> reasoning;
  // Called on the scheduler thread for every sampled token; return false to stop (cancels the request).
  // Must be quick: hand the event to another thread rather than write to a socket here.
  std::function<bool(const TokenEvent&)> on_token;
  // Called once, last, on the scheduler thread.
  std::function<void(const GenerationResult&)> on_done;
};

}  // namespace hearth::engine
