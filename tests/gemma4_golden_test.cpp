// Gemma 4 text model against the llama.cpp goldens (fixtures/README.md): every `gemma4-*.gguf` text fixture
// found in the fixtures folder, including unseen holdout files, must match one of its golden's run variants
// at every prompt position; plus the engine invariants prefill == token-by-token and a batch of N sequences
// == N runs of one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cache/kv_cache.h"
#include "models/text_model.h"
#include "support/fixtures.h"

namespace hearth {
namespace {

using nlohmann::json;

struct Fixture {
  std::filesystem::path gguf;
  json golden;
};

// Text fixtures: `gemma4-*.gguf` whose golden is a gemma4 text golden (the mmproj file has its own test).
std::vector<Fixture> discover_fixtures() {
  std::vector<Fixture> found;
  for (const auto& entry : std::filesystem::directory_iterator(test::fixtures_dir())) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("gemma4-") || entry.path().extension() != ".gguf") continue;
    std::filesystem::path golden_path = entry.path();
    golden_path.replace_extension(".golden.json");
    if (!std::filesystem::exists(golden_path)) continue;
    json golden = json::parse(std::ifstream(golden_path));
    if (golden.value("arch", "") != "gemma4" || !golden.contains("runs")) continue;
    found.push_back({entry.path(), std::move(golden)});
  }
  std::sort(found.begin(), found.end(), [](const Fixture& a, const Fixture& b) { return a.gguf < b.gguf; });
  return found;
}

std::unique_ptr<models::TextModel> load(const std::filesystem::path& path) {
  Result<std::unique_ptr<models::TextModel>> model = models::load_text_model(path);
  EXPECT_TRUE(model.ok()) << model.error();
  return model ? std::move(*model) : nullptr;
}

cache::KvCache new_cache(const models::TextModel& model, int64_t n_ctx, int64_t n_seq = 1, int64_t n_ubatch = 512) {
  return cache::KvCache(model.kv_slots(), {cpu::KvFormat::f32, n_ctx, n_seq, n_ubatch});
}

// Logits at every prompt position [n_prompt, n_vocab], then the greedy continuation's step logits.
struct Run {
  std::vector<std::vector<float>> positions;
  std::vector<int32_t> greedy;
  std::vector<std::vector<float>> greedy_steps;
};

Run run_prompt(models::TextModel& model, const std::vector<int32_t>& prompt, int n_greedy, cpu::LinearNumerics numerics) {
  const int64_t n_vocab = model.n_vocab();
  cache::KvCache cache = new_cache(model, static_cast<int64_t>(prompt.size()) + n_greedy);
  std::vector<engine::BatchEntry> batch;
  for (size_t i = 0; i < prompt.size(); ++i) batch.push_back({0, prompt[i], nullptr, static_cast<int32_t>(i), true});
  Result<std::vector<float>> logits = model.forward(batch, cache, {numerics, 512});
  EXPECT_TRUE(logits.ok()) << logits.error();
  Run run;
  if (!logits) return run;
  for (size_t i = 0; i < prompt.size(); ++i) run.positions.emplace_back(logits->begin() + i * n_vocab, logits->begin() + (i + 1) * n_vocab);
  std::vector<float> last = run.positions.back();
  for (int step = 0; step < n_greedy; ++step) {
    const auto token = static_cast<int32_t>(std::max_element(last.begin(), last.end()) - last.begin());
    run.greedy.push_back(token);
    run.greedy_steps.push_back(last);
    const engine::BatchEntry next{0, token, nullptr, static_cast<int32_t>(prompt.size() + step), true};
    Result<std::vector<float>> next_logits = model.forward({&next, 1}, cache, {numerics, 512});
    EXPECT_TRUE(next_logits.ok()) << next_logits.error();
    if (!next_logits) return run;
    last = std::move(*next_logits);
  }
  return run;
}

double standard_deviation(const std::vector<float>& values) {
  double mean = 0.0, squares = 0.0;
  for (float v : values) mean += v;
  mean /= static_cast<double>(values.size());
  for (float v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size()));
}

struct Comparison {
  double max_deviation = 0.0;  // over every golden top-10 logit of every position and the full last vector
  std::vector<std::string> failures;
};

Comparison compare(const Run& run, const json& golden_run, double tolerance) {
  Comparison result;
  const auto note = [&](const std::string& failure) {
    if (result.failures.size() < 5) result.failures.push_back(failure);
  };
  for (const json& position : golden_run["positions"]) {
    const int pos = position["pos"];
    const std::vector<float>& logits = run.positions.at(pos);
    for (const json& entry : position["top"]) {
      const double deviation = std::fabs(logits.at(entry[0].get<int>()) - entry[1].get<double>());
      result.max_deviation = std::max(result.max_deviation, deviation);
      if (deviation > tolerance) note("pos " + std::to_string(pos) + " token " + entry[0].dump() + " off by " + std::to_string(deviation));
    }
    const json& top = position["top"];
    const double margin = top[0][1].get<double>() - top[1][1].get<double>();
    const auto argmax = std::max_element(logits.begin(), logits.end()) - logits.begin();
    if (margin > 2 * tolerance && argmax != top[0][0].get<int>()) {
      note("pos " + std::to_string(pos) + ": top-1 " + std::to_string(argmax) + ", golden " + top[0][0].dump());
    }
  }
  const std::vector<float> golden_last = golden_run["last_logits"];
  for (size_t id = 0; id < golden_last.size(); ++id) {
    const double deviation = std::fabs(run.positions.back().at(id) - golden_last[id]);
    result.max_deviation = std::max(result.max_deviation, deviation);
    if (deviation > tolerance) note("last logits: token " + std::to_string(id) + " off by " + std::to_string(deviation));
  }
  const json& greedy = golden_run["greedy"];
  for (size_t step = 0; step < greedy["tokens"].size() && step < run.greedy.size(); ++step) {
    if (greedy["top1_minus_top2"][step].get<double>() <= 2 * tolerance) break;  // a near-tie may flip from here on
    if (run.greedy[step] != greedy["tokens"][step].get<int>()) {
      note("greedy step " + std::to_string(step) + ": " + std::to_string(run.greedy[step]) + ", golden " + greedy["tokens"][step].dump());
      break;
    }
  }
  return result;
}

TEST(Gemma4Golden, EveryFixtureMatchesAGoldenVariant) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<Fixture> fixtures = discover_fixtures();
  ASSERT_FALSE(fixtures.empty()) << "no gemma4-*.gguf text fixtures in " << test::fixtures_dir();
  for (const Fixture& fixture : fixtures) {
    SCOPED_TRACE(fixture.gguf.filename().string());
    std::unique_ptr<models::TextModel> model = load(fixture.gguf);
    if (!model) continue;
    const json& runs = fixture.golden["runs"];
    const bool quantized = runs.contains("f32_dequant");
    const double tolerance_factor = quantized ? 0.08 : 0.04;
    std::string best_report;
    double best_ratio = INFINITY;
    std::vector<std::string> failures;
    for (const auto& [variant, prompts] : runs.items()) {
      // as_stored is llama.cpp's own numerics; the f32 variants are exact-f32 weights.
      const cpu::LinearNumerics numerics = variant == "as_stored" ? cpu::LinearNumerics::as_stored : cpu::LinearNumerics::f32_upcast;
      bool variant_ok = true;
      double worst_ratio = 0.0;
      std::string report = variant + ":";
      for (const auto& [prompt_name, golden_run] : prompts.items()) {
        const std::vector<int32_t> prompt = golden_run["prompt_ids"];
        const int n_greedy = static_cast<int>(golden_run["greedy"]["tokens"].size());
        const double tolerance = tolerance_factor * standard_deviation(golden_run["last_logits"]);
        const Comparison comparison = compare(run_prompt(*model, prompt, n_greedy, numerics), golden_run, tolerance);
        worst_ratio = std::max(worst_ratio, comparison.max_deviation / tolerance);
        char line[160];
        std::snprintf(line, sizeof line, " %s max dev %.4g (tol %.4g)", prompt_name.c_str(), comparison.max_deviation, tolerance);
        report += line;
        for (const std::string& failure : comparison.failures) failures.push_back(variant + " " + prompt_name + ": " + failure);
        variant_ok &= comparison.failures.empty();
      }
      if (variant_ok && worst_ratio < best_ratio) {
        best_ratio = worst_ratio;
        best_report = report;
      }
      std::printf("[ gemma4 ] %s %s\n", fixture.gguf.filename().string().c_str(), report.c_str());
    }
    if (best_report.empty()) {
      std::string all;
      for (const std::string& failure : failures) all += "\n  " + failure;
      ADD_FAILURE() << "no golden variant matched:" << all;
    } else {
      std::printf("[ gemma4 ] %s matched %s\n", fixture.gguf.filename().string().c_str(), best_report.c_str());
    }
  }
}

std::vector<int32_t> long_prompt(const Fixture& fixture) { return fixture.golden["prompts"]["long"]["ids"]; }

double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
  return worst;
}

// The same logits whether a prompt runs as one batch, in micro-batches of 5 or token by token; the
// token-by-token cache is sized so the sliding-window layers' ring wraps many times.
TEST(Gemma4Golden, PrefillMatchesTokenByToken) {
  HEARTH_REQUIRE_FIXTURES();
  for (const Fixture& fixture : discover_fixtures()) {
    SCOPED_TRACE(fixture.gguf.filename().string());
    std::unique_ptr<models::TextModel> model = load(fixture.gguf);
    if (!model) continue;
    const std::vector<int32_t> prompt = long_prompt(fixture);
    std::vector<engine::BatchEntry> batch;
    for (size_t i = 0; i < prompt.size(); ++i) batch.push_back({0, prompt[i], nullptr, static_cast<int32_t>(i), true});
    const engine::ForwardOptions whole{cpu::LinearNumerics::f32_upcast, 512};
    cache::KvCache prefill_cache = new_cache(*model, static_cast<int64_t>(prompt.size()));
    Result<std::vector<float>> prefill = model->forward(batch, prefill_cache, whole);
    ASSERT_TRUE(prefill.ok()) << prefill.error();

    cache::KvCache chunked_cache = new_cache(*model, static_cast<int64_t>(prompt.size()), 1, 5);
    Result<std::vector<float>> chunked = model->forward(batch, chunked_cache, {cpu::LinearNumerics::f32_upcast, 5});
    ASSERT_TRUE(chunked.ok()) << chunked.error();

    cache::KvCache decode_cache = new_cache(*model, static_cast<int64_t>(prompt.size()), 1, 1);
    std::vector<float> decoded;
    for (const engine::BatchEntry& entry : batch) {
      Result<std::vector<float>> step = model->forward({&entry, 1}, decode_cache, whole);
      ASSERT_TRUE(step.ok()) << step.error();
      decoded.insert(decoded.end(), step->begin(), step->end());
    }
    const double scale = standard_deviation(*prefill);
    EXPECT_LT(max_difference(*prefill, *chunked), 1e-3 * scale);
    EXPECT_LT(max_difference(*prefill, decoded), 1e-3 * scale);
    std::printf("[ gemma4 ] %s prefill vs ubatch 5: %.3g, vs token-by-token: %.3g (logit std %.3g)\n",
                fixture.gguf.filename().string().c_str(), max_difference(*prefill, *chunked),
                max_difference(*prefill, decoded), scale);
  }
}

// Three sequences of different lengths interleaved in one batch give the logits of three separate runs.
TEST(Gemma4Golden, BatchOfSequencesMatchesSeparateRuns) {
  HEARTH_REQUIRE_FIXTURES();
  for (const Fixture& fixture : discover_fixtures()) {
    SCOPED_TRACE(fixture.gguf.filename().string());
    std::unique_ptr<models::TextModel> model = load(fixture.gguf);
    if (!model) continue;
    const std::vector<int32_t> source = long_prompt(fixture);
    const std::vector<std::vector<int32_t>> prompts = {
        {source.begin(), source.begin() + 23}, {source.begin() + 10, source.end()}, {source.begin() + 30, source.begin() + 35}};
    const engine::ForwardOptions options{cpu::LinearNumerics::f32_upcast, 512};

    std::vector<engine::BatchEntry> batch;
    for (size_t i = 0; i < source.size(); ++i) {
      for (size_t s = 0; s < prompts.size(); ++s) {
        if (i < prompts[s].size()) batch.push_back({static_cast<int32_t>(s), prompts[s][i], nullptr, static_cast<int32_t>(i), true});
      }
    }
    cache::KvCache shared_cache = new_cache(*model, static_cast<int64_t>(batch.size()), 3);
    Result<std::vector<float>> together = model->forward(batch, shared_cache, options);
    ASSERT_TRUE(together.ok()) << together.error();

    const int64_t n_vocab = model->n_vocab();
    std::vector<size_t> next_row(prompts.size(), 0);
    std::vector<std::vector<float>> separate;
    for (const std::vector<int32_t>& prompt : prompts) {
      std::vector<engine::BatchEntry> single;
      for (size_t i = 0; i < prompt.size(); ++i) single.push_back({0, prompt[i], nullptr, static_cast<int32_t>(i), true});
      cache::KvCache cache = new_cache(*model, static_cast<int64_t>(prompt.size()));
      Result<std::vector<float>> logits = model->forward(single, cache, options);
      ASSERT_TRUE(logits.ok()) << logits.error();
      separate.push_back(std::move(*logits));
    }
    double worst = 0.0;
    for (size_t row = 0; row < batch.size(); ++row) {
      const int32_t s = batch[row].seq_id;
      const float* a = together->data() + row * n_vocab;
      const float* b = separate[s].data() + next_row[s]++ * n_vocab;
      for (int64_t id = 0; id < n_vocab; ++id) worst = std::max(worst, static_cast<double>(std::fabs(a[id] - b[id])));
    }
    EXPECT_LT(worst, 1e-3 * standard_deviation(separate[1]));
    std::printf("[ gemma4 ] %s batch of 3 vs separate runs: %.3g\n", fixture.gguf.filename().string().c_str(), worst);
  }
}

}  // namespace
}  // namespace hearth
