#pragma once
// The stages of llama.cpp's default sampler chain (spec/sampling.md §2-§3), in chain order. Each one narrows or
// rescales the candidates in place and never leaves the list empty. Stages that are disabled by their
// parameter return at once. DRY, top-n-sigma, XTC, dynamic temperature and mirostat are not implemented:
// they are off by default, and Ollama never sends them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/sampling_candidates.h"
#include "engine/sampling_params.h"
#include "engine/sampling_random.h"

namespace hearth::engine {

// Adds each bias to its token's logit. Needs candidates still in token order (fresh from load); tokens must
// be in range (Sampler::create checks).
void apply_logit_bias(Candidates& candidates, std::span<const LogitBias> biases);

struct PenaltySettings {
  float repeat = 1.0f;
  float frequency = 0.0f;
  float presence = 0.0f;
};

// For every token that occurs c > 0 times in `window`: a logit <= 0 is multiplied by `repeat`, a positive one
// divided by it, then c * frequency + presence is subtracted. Needs candidates in token order. Tokens of the
// window outside the vocabulary are ignored. `counts` is scratch sized to the vocabulary and all zero; it is
// left all zero.
void apply_penalties(Candidates& candidates, const PenaltySettings& settings, std::span<const int32_t> window,
                     std::vector<int32_t>& counts);

// k <= 0: no-op. Keeps the min(k, size) highest logits, sorted.
void apply_top_k(Candidates& candidates, int32_t k);

struct TypicalScratch {
  std::vector<float> scores;
  std::vector<uint32_t> order;
  std::vector<Candidate> kept;
};

// p >= 1: no-op. Locally typical sampling: with entropy H = -sum p ln p (0 ln 0 counted as 0), orders the
// candidates by |-ln p - H| ascending and keeps the shortest prefix whose probability sum exceeds p and that
// has at least min_keep tokens. Equal scores keep their incoming order. Leaves the list unsorted.
void apply_typical(Candidates& candidates, float p, size_t min_keep, TypicalScratch& scratch);

// p >= 1: no-op. Nucleus: the shortest prefix, by descending logit, whose f32 probability sum reaches p and
// that has at least min_keep tokens. Leaves the list sorted.
void apply_top_p(Candidates& candidates, float p, size_t min_keep);

// p <= 0: no-op. Keeps tokens whose logit >= max + ln p (probability >= p * max probability). Keeps the
// incoming order, unless fewer than min_keep survive: then the min_keep highest, sorted.
void apply_min_p(Candidates& candidates, float p, size_t min_keep);

// temperature > 0: divides every logit by it. (Temperature <= 0 is greedy, handled by the Sampler.)
void apply_temperature(Candidates& candidates, float temperature);

// The final draw (llama.cpp's dist): softmax with f32 expf summed in double, r from `random`, then the first
// candidate, in current order, whose running sum reaches r * sum. A single candidate is returned without
// drawing, which matters for the seeded sequence. Returns an index into candidates.items.
size_t draw_candidate(Candidates& candidates, SamplingRandom& random);

}  // namespace hearth::engine
