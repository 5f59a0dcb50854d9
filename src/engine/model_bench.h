#pragma once
// llama-bench's two measurements on a loaded model: prompt processing (pp: n_prompt random tokens in one
// batch from an empty cache, logits for the last only) and text generation (tg: n_gen tokens decoded one
// at a time from an empty cache), each repeated after one warm-up run.
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "engine/loaded_model.h"

namespace hearth::engine {

struct BenchOptions {
  int64_t n_prompt = 512;
  int64_t n_gen = 128;
  int repetitions = 5;
  cpu::KvFormat kv_format = cpu::KvFormat::f16;
  int64_t n_ubatch = 512;
};

struct Throughput {
  int64_t n_tokens = 0;
  std::vector<double> samples;  // tokens per second, one per repetition
  double mean() const;
  double sd() const;            // sample standard deviation, 0 for fewer than two samples
};

struct BenchResult {
  Throughput pp, tg;  // n_tokens 0: not measured
};

Result<BenchResult> bench_model(const LoadedModel& model, const BenchOptions& options);

}  // namespace hearth::engine
