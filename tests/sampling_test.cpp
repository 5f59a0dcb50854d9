// Sampler stages against naive references (full sorts, plain loops), the chain's order, seeding, the draw's
// distribution, stop strings over every split of a text, logprobs and the resolution of defaults.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "engine/sampling_candidates.h"
#include "engine/sampling_defaults.h"
#include "engine/sampling_logprobs.h"
#include "engine/sampling_params.h"
#include "engine/sampling_random.h"
#include "engine/sampling_sampler.h"
#include "engine/sampling_stages.h"
#include "engine/sampling_stop.h"

namespace hearth::engine {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

std::vector<float> random_logits(size_t count, uint32_t seed, float spread = 3.0f) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0f, spread);
  std::vector<float> logits(count);
  for (float& logit : logits) logit = normal(engine);
  return logits;
}

Candidates loaded(const std::vector<float>& logits) {
  Candidates candidates;
  candidates.load(logits);
  return candidates;
}

std::vector<int32_t> tokens_of(const Candidates& candidates) {
  std::vector<int32_t> tokens;
  for (const Candidate& candidate : candidates.items) tokens.push_back(candidate.token);
  return tokens;
}

// --- Naive references: full sorts and straight loops over a plain copy. ---

std::vector<Candidate> reference_sorted(std::vector<Candidate> items) {
  std::sort(items.begin(), items.end(), [](const Candidate& a, const Candidate& b) {
    if (a.logit != b.logit) return a.logit > b.logit;
    return a.token < b.token;
  });
  return items;
}

// Softmax summed in the list's own order, as the stages do, so cut-offs agree to the last bit.
std::vector<float> reference_probabilities(const std::vector<Candidate>& items) {
  float max_logit = -kInfinity;
  for (const Candidate& item : items) max_logit = std::max(max_logit, item.logit);
  std::vector<float> probabilities;
  float sum = 0.0f;
  for (const Candidate& item : items) {
    probabilities.push_back(std::exp(item.logit - max_logit));
    sum += probabilities.back();
  }
  for (float& probability : probabilities) probability /= sum;
  return probabilities;
}

std::vector<int32_t> reference_top_k(const std::vector<Candidate>& items, int32_t k) {
  std::vector<int32_t> tokens;
  for (const Candidate& item : reference_sorted(items)) tokens.push_back(item.token);
  if (k > 0 && static_cast<size_t>(k) < tokens.size()) tokens.resize(static_cast<size_t>(k));
  return tokens;
}

std::vector<int32_t> reference_top_p(const std::vector<Candidate>& items, float p, size_t min_keep) {
  std::vector<Candidate> with_p = items;
  const std::vector<float> probabilities = reference_probabilities(items);
  for (size_t i = 0; i < items.size(); ++i) with_p[i].p = probabilities[i];
  std::vector<int32_t> tokens;
  float cumulative = 0.0f;
  for (const Candidate& item : reference_sorted(with_p)) {
    tokens.push_back(item.token);
    cumulative += item.p;
    if (cumulative >= p && tokens.size() >= min_keep) break;
  }
  return tokens;
}

std::vector<int32_t> reference_min_p(const std::vector<Candidate>& items, float p, size_t min_keep) {
  float max_logit = -kInfinity;
  for (const Candidate& item : items) max_logit = std::max(max_logit, item.logit);
  std::vector<int32_t> tokens;
  for (const Candidate& item : items) {
    if (item.logit >= max_logit + std::log(p)) tokens.push_back(item.token);
  }
  if (tokens.size() >= min_keep) return tokens;
  tokens = reference_top_k(items, static_cast<int32_t>(min_keep));
  return tokens;
}

std::vector<int32_t> reference_typical(const std::vector<Candidate>& items, float p, size_t min_keep) {
  const std::vector<float> probabilities = reference_probabilities(items);
  float entropy = 0.0f;
  for (float probability : probabilities) {
    if (probability > 0.0f) entropy += -probability * std::log(probability);
  }
  std::vector<float> scores;
  for (float probability : probabilities) {
    scores.push_back(probability > 0.0f ? std::fabs(-std::log(probability) - entropy) : kInfinity);
  }
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  std::vector<int32_t> tokens;
  float cumulative = 0.0f;
  for (size_t index : order) {
    tokens.push_back(items[index].token);
    cumulative += probabilities[index];
    if (cumulative > p && tokens.size() >= min_keep) break;
  }
  return tokens;
}

// --- Stages ---

TEST(SamplingStages, LoadReplacesNaNAndCapsInfinity) {
  Candidates candidates = loaded({1.0f, std::nanf(""), kInfinity, -kInfinity});
  EXPECT_EQ(candidates.items[1].logit, -kInfinity);
  EXPECT_EQ(candidates.items[2].logit, std::numeric_limits<float>::max());
  EXPECT_EQ(candidates.items[3].logit, -kInfinity);
  EXPECT_FALSE(candidates.sorted);
}

TEST(SamplingStages, TopKMatchesFullSort) {
  const std::vector<float> logits = random_logits(5000, 1);
  for (int32_t k : {-1, 0, 1, 2, 40, 64, 300, 4999, 5000, 7000}) {
    Candidates candidates = loaded(logits);
    const std::vector<int32_t> expected = k > 0 ? reference_top_k(candidates.items, k) : tokens_of(candidates);
    apply_top_k(candidates, k);
    EXPECT_EQ(tokens_of(candidates), expected) << "k=" << k;
    EXPECT_EQ(candidates.sorted, k > 0);
  }
}

TEST(SamplingStages, TopKBreaksTiesBySmallerToken) {
  Candidates candidates = loaded({1.0f, 3.0f, 3.0f, 2.0f, 3.0f});
  apply_top_k(candidates, 2);
  EXPECT_EQ(tokens_of(candidates), (std::vector<int32_t>{1, 2}));
}

TEST(SamplingStages, TopPMatchesReferenceOnUnsortedAndSortedInput) {
  // 20000 tokens with a small spread make the nucleus span several selection chunks.
  for (float spread : {0.5f, 3.0f}) {
    const std::vector<float> logits = random_logits(20000, 2, spread);
    for (float p : {0.0f, 0.1f, 0.5f, 0.9f, 0.99f, 1.0f}) {
      for (size_t min_keep : {size_t{0}, size_t{5}, size_t{3000}}) {
        Candidates unsorted = loaded(logits);
        const std::vector<int32_t> expected = p >= 1.0f ? tokens_of(unsorted)
                                                        : reference_top_p(unsorted.items, p, min_keep);
        apply_top_p(unsorted, p, min_keep);
        EXPECT_EQ(tokens_of(unsorted), expected) << "p=" << p << " min_keep=" << min_keep;

        Candidates sorted = loaded(logits);
        apply_top_k(sorted, 1000);
        const std::vector<int32_t> expected_sorted = p >= 1.0f ? tokens_of(sorted)
                                                               : reference_top_p(sorted.items, p, min_keep);
        apply_top_p(sorted, p, min_keep);
        EXPECT_EQ(tokens_of(sorted), expected_sorted) << "after top_k, p=" << p << " min_keep=" << min_keep;
      }
    }
  }
}

TEST(SamplingStages, MinPMatchesReferenceAndKeepsOrder) {
  const std::vector<float> logits = random_logits(5000, 3);
  for (float p : {0.0f, 0.01f, 0.05f, 0.3f, 1.0f}) {
    for (size_t min_keep : {size_t{0}, size_t{10}}) {
      Candidates unsorted = loaded(logits);
      const std::vector<int32_t> expected = p <= 0.0f ? tokens_of(unsorted)
                                                      : reference_min_p(unsorted.items, p, min_keep);
      apply_min_p(unsorted, p, min_keep);
      EXPECT_EQ(tokens_of(unsorted), expected) << "p=" << p << " min_keep=" << min_keep;

      // On sorted input the kept set is the same, in sorted order.
      Candidates sorted = loaded(logits);
      apply_top_k(sorted, 5000);
      std::vector<int32_t> expected_sorted = reference_top_k(sorted.items, 0);
      const std::vector<int32_t> kept = p <= 0.0f ? expected_sorted : reference_min_p(sorted.items, p, min_keep);
      std::erase_if(expected_sorted, [&](int32_t token) {
        return std::find(kept.begin(), kept.end(), token) == kept.end();
      });
      apply_min_p(sorted, p, min_keep);
      EXPECT_EQ(tokens_of(sorted), expected_sorted) << "sorted, p=" << p << " min_keep=" << min_keep;
    }
  }
}

TEST(SamplingStages, TypicalMatchesReference) {
  for (size_t size : {size_t{40}, size_t{3000}}) {
    const std::vector<float> logits = random_logits(size, 4, 1.5f);
    for (float p : {0.0f, 0.2f, 0.5f, 0.95f, 1.0f}) {
      for (size_t min_keep : {size_t{0}, size_t{7}}) {
        Candidates candidates = loaded(logits);
        TypicalScratch scratch;
        const std::vector<int32_t> expected = p >= 1.0f ? tokens_of(candidates)
                                                        : reference_typical(candidates.items, p, min_keep);
        apply_typical(candidates, p, min_keep, scratch);
        EXPECT_EQ(tokens_of(candidates), expected) << "size=" << size << " p=" << p << " min_keep=" << min_keep;
        EXPECT_FALSE(candidates.sorted);
      }
    }
  }
}

TEST(SamplingStages, TypicalCanDropTheMostLikelyToken) {
  // p = [0.4, 0.15 x 4]: the 0.15 tokens sit closer to the entropy than the 0.4 one.
  std::vector<float> logits = {std::log(0.4f)};
  logits.insert(logits.end(), 4, std::log(0.15f));
  Candidates candidates = loaded(logits);
  TypicalScratch scratch;
  apply_typical(candidates, 0.5f, 0, scratch);
  EXPECT_EQ(tokens_of(candidates), (std::vector<int32_t>{1, 2, 3, 4}));
}

TEST(SamplingStages, TemperatureDividesLogits) {
  Candidates candidates = loaded({2.0f, -1.0f, 0.5f});
  apply_temperature(candidates, 0.5f);
  EXPECT_EQ(candidates.items[0].logit, 4.0f);
  EXPECT_EQ(candidates.items[1].logit, -2.0f);
  EXPECT_EQ(candidates.items[2].logit, 1.0f);
}

TEST(SamplingStages, LogitBiasAddsUpAndBans) {
  Candidates candidates = loaded({1.0f, 2.0f, 3.0f});
  const std::vector<LogitBias> biases = {{0, 1.5f}, {0, 0.5f}, {2, -kInfinity}};
  apply_logit_bias(candidates, biases);
  EXPECT_EQ(candidates.items[0].logit, 3.0f);
  EXPECT_EQ(candidates.items[1].logit, 2.0f);
  EXPECT_EQ(candidates.items[2].logit, -kInfinity);
}

TEST(SamplingStages, PenaltiesMatchNaiveWindowCount) {
  const size_t vocab = 50;
  const std::vector<float> logits = random_logits(vocab, 5);
  std::mt19937 engine(6);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(vocab) - 1);
  std::vector<int32_t> history(300);
  for (int32_t& entry : history) entry = token(engine);
  history.push_back(-3);  // out-of-vocabulary ids are ignored
  history.push_back(static_cast<int32_t>(vocab) + 7);

  const PenaltySettings settings{1.3f, 0.25f, 0.5f};
  for (size_t last_n : {size_t{0}, size_t{1}, size_t{16}, size_t{64}, history.size()}) {
    const std::span<const int32_t> window = std::span(history).last(last_n);
    Candidates candidates = loaded(logits);
    std::vector<int32_t> counts(vocab, 0);
    apply_penalties(candidates, settings, window, counts);
    EXPECT_TRUE(std::all_of(counts.begin(), counts.end(), [](int32_t count) { return count == 0; }));
    for (size_t id = 0; id < vocab; ++id) {
      const int count = static_cast<int>(std::count(window.begin(), window.end(), static_cast<int32_t>(id)));
      float expected = logits[id];
      if (count > 0) {
        expected = expected > 0.0f ? expected / settings.repeat : expected * settings.repeat;
        expected -= static_cast<float>(count) * settings.frequency + settings.presence;
      }
      EXPECT_EQ(candidates.items[id].logit, expected) << "token " << id << " last_n " << last_n;
    }
  }
}

TEST(SamplingStages, WalkInOrderStopsEarlyWithSortedPrefix) {
  std::vector<int> values(5000);
  std::iota(values.begin(), values.end(), 0);
  std::shuffle(values.begin(), values.end(), std::mt19937(7));
  const size_t visited = walk_in_order(values.begin(), values.end(), 0, std::less<int>(),
                                       [](int value, size_t) { return value == 700; });
  EXPECT_EQ(visited, 701u);
  for (int i = 0; i < 701; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], i);
}

// --- Sampler ---

SamplingParams plain_params() {
  SamplingParams params;
  params.temperature = 1.0f;
  params.top_k = 0;
  params.top_p = 1.0f;
  params.seed = 42;
  return params;
}

Sampler make_sampler(const SamplingParams& params, size_t vocab) {
  Result<Sampler> sampler = Sampler::create(params, vocab);
  EXPECT_TRUE(sampler.ok()) << sampler.error();
  return std::move(sampler).value();
}

std::vector<int32_t> sample_many(Sampler& sampler, const std::vector<float>& logits, size_t count) {
  std::vector<int32_t> tokens;
  for (size_t i = 0; i < count; ++i) tokens.push_back(sampler.sample(logits, {}));
  return tokens;
}

TEST(Sampler, GreedyIsArgmaxWithFirstMaximumOnTies) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    std::vector<float> logits = random_logits(3000, seed);
    SamplingParams params;
    params.temperature = 0.0f;
    params.seed = seed;
    Sampler sampler = make_sampler(params, logits.size());
    const auto argmax = std::max_element(logits.begin(), logits.end()) - logits.begin();
    EXPECT_EQ(sampler.sample(logits, {}), argmax);
  }
  SamplingParams params;
  params.temperature = -1.0f;  // resolve_sampling_params would clamp this to 0; the sampler treats both alike
  Sampler sampler = make_sampler(params, 5);
  EXPECT_EQ(sampler.sample(std::vector<float>{1.0f, 4.0f, 2.0f, 4.0f, 4.0f}, {}), 1);
}

TEST(Sampler, GreedyRespectsTypicalFilter) {
  std::vector<float> logits = {std::log(0.4f)};
  logits.insert(logits.end(), 4, std::log(0.15f));
  SamplingParams params;
  params.temperature = 0.0f;
  params.typical_p = 0.5f;
  Sampler sampler = make_sampler(params, logits.size());
  EXPECT_EQ(sampler.sample(logits, {}), 1);
}

TEST(Sampler, SameSeedSameSequenceDifferentSeedDifferent) {
  const auto run = [](uint32_t seed) {
    SamplingParams params;  // Ollama defaults: top_k 40, top_p 0.9, temperature 0.8
    params.seed = seed;
    params.repeat_penalty = 1.1f;
    Sampler sampler = make_sampler(params, 2000);
    std::vector<int32_t> history;
    for (uint32_t step = 0; step < 200; ++step) {
      history.push_back(sampler.sample(random_logits(2000, 1000 + step, 1.0f), history));
    }
    return history;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(Sampler, ReportsRequestedSeed) {
  SamplingParams params = plain_params();
  params.seed = 1234;
  EXPECT_EQ(make_sampler(params, 10).seed(), 1234u);
}

TEST(SamplingRandom, MatchesStandardLibraryUniformDraw) {
#ifdef __GLIBCXX__
  SamplingRandom random(99);
  std::mt19937 engine(99);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(random.next_unit(), uniform(engine));
#else
  GTEST_SKIP() << "the draw formula is libstdc++'s";
#endif
}

// Chi-square statistic of `tokens` against `probabilities`; fixed seeds make it deterministic.
double chi_square(const std::vector<int32_t>& tokens, const std::vector<double>& probabilities) {
  std::vector<double> observed(probabilities.size(), 0.0);
  for (int32_t token : tokens) observed[static_cast<size_t>(token)] += 1.0;
  double statistic = 0.0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    if (probabilities[i] == 0.0) {
      EXPECT_EQ(observed[i], 0.0) << "token " << i << " has probability 0";
      continue;
    }
    const double expected = probabilities[i] * static_cast<double>(tokens.size());
    statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
  }
  return statistic;
}

TEST(Sampler, DrawFollowsSoftmaxOfTheChain) {
  // spec/sampling.md §6: top_k 3 then temperature 0.5 gives [0.8438, 0.1142, 0.0420, 0].
  SamplingParams params = plain_params();
  params.top_k = 3;
  params.temperature = 0.5f;
  Sampler sampler = make_sampler(params, 4);
  const std::vector<int32_t> tokens = sample_many(sampler, {2.0f, 1.0f, 0.5f, -1.0f}, 20000);
  const double e1 = std::exp(-2.0), e2 = std::exp(-3.0), total = 1.0 + e1 + e2;
  EXPECT_LT(chi_square(tokens, {1.0 / total, e1 / total, e2 / total, 0.0}), 20.0);  // 2 dof: p < 5e-5
}

TEST(Sampler, DrawFollowsSoftmaxOverWholeVocabulary) {
  const std::vector<float> logits = random_logits(30, 11, 1.0f);
  Sampler sampler = make_sampler(plain_params(), logits.size());
  const std::vector<int32_t> tokens = sample_many(sampler, logits, 30000);
  std::vector<double> probabilities;
  double total = 0.0;
  for (float logit : logits) total += std::exp(static_cast<double>(logit));
  for (float logit : logits) probabilities.push_back(std::exp(static_cast<double>(logit)) / total);
  EXPECT_LT(chi_square(tokens, probabilities), 80.0);  // 29 dof: mean 29, p < 1e-6
}

TEST(Sampler, FiltersSeeUntemperedLogits) {
  // Temperature comes after top_p and min_p: at T = 3 the distribution is flat enough that a temperature-first
  // chain would keep three tokens, but both filters keep exactly {0, 1}, decided at T = 1 (spec §6 numbers).
  const std::vector<float> logits = {2.0f, 1.0f, 0.5f, -1.0f};
  for (const auto& [top_p, min_p] : {std::pair{0.8f, 0.0f}, std::pair{1.0f, 0.3f}}) {
    SamplingParams params = plain_params();
    params.temperature = 3.0f;
    params.top_p = top_p;
    params.min_p = min_p;
    Sampler sampler = make_sampler(params, logits.size());
    const std::vector<int32_t> tokens = sample_many(sampler, logits, 2000);
    EXPECT_TRUE(std::all_of(tokens.begin(), tokens.end(), [](int32_t token) { return token <= 1; }));
    EXPECT_NE(std::count(tokens.begin(), tokens.end(), 1), 0);
  }
}

TEST(Sampler, PenaltiesApplyBeforeTopK) {
  SamplingParams params = plain_params();
  params.top_k = 1;
  params.repeat_penalty = 10.0f;
  params.repeat_last_n = 2;
  Sampler sampler = make_sampler(params, 3);
  const std::vector<float> logits = {5.0f, 4.0f, 0.0f};
  const std::vector<int32_t> recent_zero = {0, 2};
  const std::vector<int32_t> zero_outside_window = {0, 2, 2};
  EXPECT_EQ(sampler.sample(logits, recent_zero), 1);  // 5 / 10 falls below 4
  EXPECT_EQ(sampler.sample(logits, zero_outside_window), 0);

  params.repeat_last_n = -1;  // the whole history
  Sampler whole_history = make_sampler(params, 3);
  EXPECT_EQ(whole_history.sample(logits, zero_outside_window), 1);
}

TEST(Sampler, BannedTokenIsNeverDrawn) {
  SamplingParams params = plain_params();
  params.logit_bias = {{0, -kInfinity}, {2, 3.0f}};
  Sampler sampler = make_sampler(params, 3);
  const std::vector<int32_t> tokens = sample_many(sampler, {10.0f, 0.0f, 0.0f}, 5000);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), 0), 0);
  EXPECT_GT(std::count(tokens.begin(), tokens.end(), 2), std::count(tokens.begin(), tokens.end(), 1));

  params.temperature = 0.0f;
  Sampler greedy = make_sampler(params, 3);
  EXPECT_EQ(greedy.sample(std::vector<float>{10.0f, 0.0f, 0.0f}, {}), 2);
}

TEST(Sampler, EverythingBannedIsUniformInsteadOfNaN) {
  SamplingParams params = plain_params();
  params.logit_bias = {{0, -kInfinity}, {1, -kInfinity}};
  Sampler sampler = make_sampler(params, 2);
  const std::vector<int32_t> tokens = sample_many(sampler, {1.0f, 2.0f}, 400);
  EXPECT_GT(std::count(tokens.begin(), tokens.end(), 0), 100);
  EXPECT_GT(std::count(tokens.begin(), tokens.end(), 1), 100);
}

TEST(Sampler, RejectsBadInput) {
  SamplingParams params = plain_params();
  EXPECT_FALSE(Sampler::create(params, 0).ok());
  params.logit_bias = {{10, 1.0f}};
  EXPECT_FALSE(Sampler::create(params, 10).ok());
  params.logit_bias = {{-1, 1.0f}};
  EXPECT_FALSE(Sampler::create(params, 10).ok());
  Sampler sampler = make_sampler(plain_params(), 10);
  EXPECT_THROW(sampler.sample(std::vector<float>(9, 0.0f), {}), std::invalid_argument);
}

TEST(Sampler, FullSizeVocabularyRuns) {
  // Gemma's 262144-token vocabulary through the partial-selection paths (top_k, and top_p without top_k).
  const std::vector<float> logits = random_logits(262144, 12);
  const std::vector<int32_t> history = {5, 6, 7};
  for (int32_t top_k : {40, 0}) {
    SamplingParams params;
    params.top_k = top_k;
    params.min_p = 0.05f;
    params.repeat_penalty = 1.1f;
    params.seed = 3;
    Sampler sampler = make_sampler(params, logits.size());
    for (int step = 0; step < 5; ++step) {
      const int32_t token = sampler.sample(logits, history);
      EXPECT_GE(token, 0);
      EXPECT_LT(token, 262144);
    }
  }
}

// --- Logprobs ---

TEST(SamplingLogprobs, MatchNaiveLogSoftmax) {
  const std::vector<float> logits = random_logits(1000, 13);
  const StepLogprobs result = compute_logprobs(logits, 17, 20);
  double total = 0.0;
  for (float logit : logits) total += std::exp(static_cast<double>(logit));
  const auto naive = [&](size_t token) { return std::log(std::exp(static_cast<double>(logits[token])) / total); };

  EXPECT_EQ(result.chosen.token, 17);
  EXPECT_NEAR(result.chosen.logprob, naive(17), 1e-4);
  std::vector<size_t> order(logits.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return logits[a] > logits[b]; });
  ASSERT_EQ(result.top.size(), 20u);
  for (size_t rank = 0; rank < 20; ++rank) {
    EXPECT_EQ(result.top[rank].token, static_cast<int32_t>(order[rank]));
    EXPECT_NEAR(result.top[rank].logprob, naive(order[rank]), 1e-4);
  }
}

TEST(SamplingLogprobs, SmallVocabularyTiesAndExtremes) {
  const StepLogprobs result = compute_logprobs(std::vector<float>{0.0f, 0.0f, -200.0f}, 2, 10);
  ASSERT_EQ(result.top.size(), 3u);
  EXPECT_EQ(result.top[0].token, 0);
  EXPECT_EQ(result.top[1].token, 1);
  EXPECT_NEAR(result.top[0].logprob, -std::log(2.0), 1e-6);
  EXPECT_NEAR(result.chosen.logprob, -200.0 - std::log(2.0), 1e-3);  // finite although exp underflows in f32
  EXPECT_TRUE(compute_logprobs(std::vector<float>{1.0f}, 0, 0).top.empty());
}

// --- Stop strings ---

// Feeds `pieces` and checks the streaming contract after every piece; returns everything released.
std::string stream_through(StopMatcher& matcher, const std::vector<std::string>& pieces,
                           const std::vector<std::string>& stops, bool& stopped) {
  std::string released;
  std::string pushed;
  stopped = false;
  for (const std::string& piece : pieces) {
    const StopMatcher::Output output = matcher.push(piece);
    released += output.text;
    if (output.stopped) {
      stopped = true;
      break;
    }
    pushed += piece;
    const std::string held = pushed.substr(released.size());
    EXPECT_EQ(incomplete_utf8_suffix_length(released), 0u) << "released half a character";
    const bool starts_a_stop = std::any_of(stops.begin(), stops.end(), [&](const std::string& stop) {
      return !stop.empty() && stop.starts_with(held);
    });
    EXPECT_TRUE(held.empty() || starts_a_stop || incomplete_utf8_suffix_length(held) > 0)
        << "held back '" << held << "' for no reason";
  }
  if (!stopped) released += matcher.finish();
  return released;
}

void expect_every_split(const std::string& text, const std::vector<std::string>& stops) {
  size_t cut = std::string::npos;
  for (const std::string& stop : stops) {
    if (!stop.empty()) cut = std::min(cut, text.find(stop));
  }
  const std::string expected = text.substr(0, cut);
  const bool expect_stop = cut != std::string::npos;
  for (size_t first = 0; first <= text.size(); ++first) {
    for (size_t second = first; second <= text.size(); ++second) {
      StopMatcher matcher(stops);
      bool stopped = false;
      const std::vector<std::string> pieces = {text.substr(0, first), text.substr(first, second - first),
                                               text.substr(second)};
      EXPECT_EQ(stream_through(matcher, pieces, stops, stopped), expected)
          << "split at " << first << ", " << second;
      EXPECT_EQ(stopped, expect_stop);
    }
  }
  std::vector<std::string> bytes;
  for (char byte : text) bytes.emplace_back(1, byte);
  StopMatcher matcher(stops);
  bool stopped = false;
  EXPECT_EQ(stream_through(matcher, bytes, stops, stopped), expected) << "byte by byte";
  EXPECT_EQ(stopped, expect_stop);
}

TEST(StopMatcher, EverySplitOfPlainText) {
  expect_every_split("Hello world. User: hi", {"User:"});
  expect_every_split("no stop in here", {"User:", "END"});
  expect_every_split("xaaab tail", {"aab"});           // a partial match that slides by one
  expect_every_split("xabcd", {"bcd", "abc"});         // earliest start wins over list order
  expect_every_split("the end", {"end", "the end"});
  expect_every_split("abc", {""});                     // empty stop strings are ignored
}

TEST(StopMatcher, EverySplitOfMultibyteText) {
  expect_every_split("héllo wörld 😀 ok", {});
  expect_every_split("héllo wörld 😀 ok", {"😀"});
  expect_every_split("日本語のテキスト<end>後", {"<end>", "テキ"});
  expect_every_split("a€b", {"€c"});
}

TEST(StopMatcher, IgnoresPiecesAfterStopAndFinishReturnsHeldText) {
  StopMatcher matcher({"STOP"});
  EXPECT_EQ(matcher.push("abc ST").text, "abc ");
  EXPECT_EQ(matcher.finish(), "ST");

  StopMatcher stopping({"STOP"});
  const StopMatcher::Output output = stopping.push("xSTOPy");
  EXPECT_TRUE(output.stopped);
  EXPECT_EQ(output.text, "x");
  EXPECT_EQ(stopping.push("more").text, "");
  EXPECT_EQ(stopping.finish(), "");
}

TEST(StopMatcher, IncompleteUtf8Length) {
  EXPECT_EQ(incomplete_utf8_suffix_length(""), 0u);
  EXPECT_EQ(incomplete_utf8_suffix_length("abc"), 0u);
  EXPECT_EQ(incomplete_utf8_suffix_length("a\xC3"), 1u);
  EXPECT_EQ(incomplete_utf8_suffix_length("a\xC3\xA9"), 0u);
  EXPECT_EQ(incomplete_utf8_suffix_length("\xE2\x82"), 2u);
  EXPECT_EQ(incomplete_utf8_suffix_length("\xF0\x9F\x98"), 3u);
  EXPECT_EQ(incomplete_utf8_suffix_length("\xF0\x9F\x98\x80"), 0u);
  EXPECT_EQ(incomplete_utf8_suffix_length("\x80\x80\x80"), 0u);  // stray continuation bytes are not held
}

// --- Defaults ---

TEST(SamplingDefaults, EachFieldTakesTheFirstLayerThatSetsIt) {
  SamplingOptions request, model, family;
  request.temperature = 0.2f;
  model.temperature = 0.6f;
  model.top_k = 20;
  family.top_k = 64;
  family.top_p = 0.95f;
  family.stop = std::vector<std::string>{"<family>"};
  request.stop = std::vector<std::string>{"a", ""};
  const Result<SamplingParams> params = resolve_sampling_params(request, model, family);
  ASSERT_TRUE(params.ok()) << params.error();
  EXPECT_EQ(params->temperature, 0.2f);
  EXPECT_EQ(params->top_k, 20);
  EXPECT_EQ(params->top_p, 0.95f);
  EXPECT_EQ(params->min_p, 0.0f);  // global (Ollama) default
  EXPECT_EQ(params->repeat_last_n, 64);
  EXPECT_EQ(params->stop, std::vector<std::string>{"a"});  // replaced, and the empty string dropped
  EXPECT_EQ(params->seed, kRandomSeed);
}

TEST(SamplingDefaults, GlobalDefaultsAreOllamas) {
  const Result<SamplingParams> params = resolve_sampling_params({}, {}, {});
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->temperature, 0.8f);
  EXPECT_EQ(params->top_k, 40);
  EXPECT_EQ(params->top_p, 0.9f);
  EXPECT_EQ(params->typical_p, 1.0f);
  EXPECT_EQ(params->repeat_penalty, 1.0f);
  EXPECT_EQ(params->num_predict, -1);
}

TEST(SamplingDefaults, Gemma4FamilyDefaults) {
  const Result<SamplingParams> params = resolve_sampling_params({}, {}, family_sampling_defaults("gemma4"));
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->temperature, 1.0f);
  EXPECT_EQ(params->top_k, 64);
  EXPECT_EQ(params->top_p, 0.95f);
  EXPECT_EQ(params->min_p, 0.0f);
  EXPECT_FALSE(family_sampling_defaults("llama").temperature.has_value());
}

TEST(SamplingDefaults, ModelOptionsFromGgufKeys) {
  const Result<SamplingOptions> options = model_sampling_options({{"general.sampling.temp", 0.7},
                                                                  {"general.sampling.top_k", 50.0},
                                                                  {"general.sampling.penalty_last_n", 128.0},
                                                                  {"general.sampling.xtc_probability", 0.5},
                                                                  {"general.name", 3.0}});
  ASSERT_TRUE(options.ok()) << options.error();
  EXPECT_EQ(options->temperature, 0.7f);
  EXPECT_EQ(options->top_k, 50);
  EXPECT_EQ(options->repeat_last_n, 128);
  EXPECT_FALSE(options->top_p.has_value());

  EXPECT_FALSE(model_sampling_options({{"general.sampling.top_k", 1e12}}).ok());
  EXPECT_FALSE(model_sampling_options({{"general.sampling.temp", std::nan("")}}).ok());
}

TEST(SamplingDefaults, LimitsClampOrReject) {
  SamplingOptions request;
  request.temperature = -2.0f;
  request.top_k = -5;
  request.top_p = 1.5f;
  request.min_p = -0.1f;
  request.num_predict = -7;
  request.seed = -1;
  Result<SamplingParams> params = resolve_sampling_params(request, {}, {});
  ASSERT_TRUE(params.ok()) << params.error();
  EXPECT_EQ(params->temperature, 0.0f);
  EXPECT_EQ(params->top_k, 0);
  EXPECT_EQ(params->top_p, 1.0f);
  EXPECT_EQ(params->min_p, 0.0f);
  EXPECT_EQ(params->num_predict, -1);
  EXPECT_EQ(params->seed, kRandomSeed);

  const auto rejects = [](auto set) {
    SamplingOptions options;
    set(options);
    return !resolve_sampling_params(options, {}, {}).ok();
  };
  EXPECT_TRUE(rejects([](SamplingOptions& o) { o.repeat_penalty = 0.0f; }));
  EXPECT_TRUE(rejects([](SamplingOptions& o) { o.repeat_penalty = 1e-40f; }));
  EXPECT_TRUE(rejects([](SamplingOptions& o) { o.repeat_last_n = -2; }));
  EXPECT_TRUE(rejects([](SamplingOptions& o) { o.min_keep = -1; }));
  EXPECT_TRUE(rejects([](SamplingOptions& o) { o.temperature = kInfinity; }));
  EXPECT_TRUE(rejects([](SamplingOptions& o) { o.logit_bias = std::vector<LogitBias>{{1, kInfinity}}; }));
  EXPECT_FALSE(rejects([](SamplingOptions& o) { o.logit_bias = std::vector<LogitBias>{{1, -kInfinity}}; }));
  EXPECT_FALSE(rejects([](SamplingOptions& o) { o.repeat_last_n = -1; }));
}

}  // namespace
}  // namespace hearth::engine
