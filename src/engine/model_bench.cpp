#include "engine/model_bench.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "cache/kv_cache.h"

namespace hearth::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Seconds one run takes: the prompt as one batch, or the tokens one forward call each.
Result<double> timed_run(const LoadedModel& model, const BenchOptions& options, int64_t n_tokens, bool one_batch,
                         std::mt19937& random) {
  cache::KvCacheOptions cache_options;
  cache_options.format = options.kv_format;
  cache_options.n_ctx = n_tokens;
  cache_options.n_ubatch = options.n_ubatch;
  cache::KvCache cache(model.model->kv_slots(), cache_options);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(model.model->n_vocab() - 1));
  std::vector<BatchEntry> batch;
  for (int64_t i = 0; i < n_tokens; ++i) batch.push_back({0, token(random), nullptr, static_cast<int32_t>(i), !one_batch || i + 1 == n_tokens});
  const ForwardOptions forward{cpu::LinearNumerics::as_stored, options.n_ubatch};
  const Clock::time_point start = Clock::now();
  if (one_batch) {
    Result<std::vector<float>> logits = model.model->forward(batch, cache, forward);
    if (!logits) return make_error(logits.error());
  } else {
    for (const BatchEntry& entry : batch) {
      Result<std::vector<float>> logits = model.model->forward({&entry, 1}, cache, forward);
      if (!logits) return make_error(logits.error());
    }
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Result<Throughput> measure(const LoadedModel& model, const BenchOptions& options, int64_t n_tokens, bool one_batch) {
  Throughput throughput;
  throughput.n_tokens = n_tokens;
  if (n_tokens == 0) return throughput;
  std::mt19937 random(1234);
  for (int rep = -1; rep < options.repetitions; ++rep) {
    Result<double> seconds = timed_run(model, options, n_tokens, one_batch, random);
    if (!seconds) return make_error(seconds.error());
    if (rep >= 0) throughput.samples.push_back(static_cast<double>(n_tokens) / *seconds);
  }
  return throughput;
}

}  // namespace

double Throughput::mean() const {
  return samples.empty() ? 0.0 : std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

double Throughput::sd() const {
  if (samples.size() < 2) return 0.0;
  const double m = mean();
  double squares = 0.0;
  for (double s : samples) squares += (s - m) * (s - m);
  return std::sqrt(squares / static_cast<double>(samples.size() - 1));
}

Result<BenchResult> bench_model(const LoadedModel& model, const BenchOptions& options) {
  if (options.repetitions < 1) return make_error("repetitions must be at least 1");
  BenchResult result;
  Result<Throughput> pp = measure(model, options, options.n_prompt, true);
  if (!pp) return make_error(pp.error());
  result.pp = std::move(*pp);
  Result<Throughput> tg = measure(model, options, options.n_gen, false);
  if (!tg) return make_error(tg.error());
  result.tg = std::move(*tg);
  return result;
}

}  // namespace hearth::engine
