#pragma once
// One request's token sampler: llama.cpp's default chain over SamplingParams (spec/sampling.md §2), in order
// logit bias -> penalties -> top_k -> typical_p -> top_p -> min_p -> temperature -> draw.
// Ollama now hands GGUF models to llama-server, so this is also Ollama's behaviour. Its former Go sampler
// differed (temperature before the filters, top_p cut at "> p"); hearth follows llama.cpp.
//
// Reproducibility: the sampler seeds its own std::mt19937 once, at creation, so a fixed seed gives the same
// token sequence for the same sequence of logits, on every platform (the draw formula is fixed, see
// sampling_random.h, and ties between equal logits break by token id). Logits themselves vary with backend,
// threads and batching, so end-to-end output is reproducible only as far as they are. Greedy sampling
// (temperature <= 0) never draws.
//
// The same sampler is used for every token of the request; creating a new one per request restarts the
// sequence, as llama-server's per-request reset does.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "engine/sampling_candidates.h"
#include "engine/sampling_params.h"
#include "engine/sampling_random.h"
#include "engine/sampling_stages.h"

namespace hearth::engine {

class Sampler {
 public:
  // Fails for an empty vocabulary or a logit_bias token outside [0, vocab_size). `params` must come from
  // resolve_sampling_params (limits applied). All per-token buffers are allocated here.
  static Result<Sampler> create(const SamplingParams& params, size_t vocab_size);

  // Picks the next token. `logits` has one entry per vocabulary token (throws std::invalid_argument
  // otherwise). `history` is every token of the sequence so far, prompt included, oldest first: as in
  // llama-server, the penalty window covers the prompt's tail as well as the output.
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

  // The seed in use: the requested one, or the one drawn for kRandomSeed (worth reporting so a run can be
  // repeated).
  uint32_t seed() const { return seed_; }

 private:
  Sampler(const SamplingParams& params, size_t vocab_size, uint32_t seed);

  bool penalties_enabled() const;
  std::span<const int32_t> penalty_window(std::span<const int32_t> history) const;

  SamplingParams params_;
  size_t vocab_size_;
  uint32_t seed_;
  SamplingRandom random_;
  Candidates candidates_;
  std::vector<int32_t> penalty_counts_;
  TypicalScratch typical_scratch_;
};

}  // namespace hearth::engine
