// The text model after the golden's image + audio prompt (gemma4-mmproj-tiny.golden.json, runs.*.
// multimodal_prompt): soft-token rows placed between the text chunks, the image's tokens attending to each
// other both ways. Checked twice: with the golden's own encoder outputs (the text side alone) and with
// hearth's encoders on test-1.jpeg and speech16k.wav (the whole path).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cpu/ops.h"
#include "engine/loaded_model.h"
#include "gguf/gguf_file.h"
#include "media/audio_decode.h"
#include "media/image_decode.h"
#include "models/gemma4/audio_encoder.h"
#include "models/gemma4/vision_encoder.h"
#include "support/fixtures.h"

namespace hearth {
namespace {

using nlohmann::json;

struct MediaRows {
  std::vector<float> image, audio;
};

std::vector<float> read_f32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

// Runs the prompt of `run` with the given soft-token rows; returns last-position logits and greedy tokens.
struct Outcome {
  std::vector<float> last;
  std::vector<int32_t> greedy;
};

Outcome run_prompt(engine::LoadedModel& model, const json& run, const MediaRows& rows, cpu::LinearNumerics numerics, int n_greedy) {
  const int64_t n_embd = model.model->n_embd();
  std::vector<engine::BatchEntry> batch;
  std::vector<cpu::BidirectionalRange> bidirectional;
  for (const json& chunk : run["chunks"]) {
    const std::string type = chunk["type"];
    if (type == "text") {
      for (int32_t token : chunk["tokens"]) batch.push_back({0, token, nullptr, static_cast<int32_t>(batch.size()), false});
      continue;
    }
    const std::vector<float>& source = type == "image" ? rows.image : rows.audio;
    const int64_t n = chunk["n_tokens"];
    EXPECT_EQ(static_cast<int64_t>(source.size()), n * n_embd) << type;
    const auto first = static_cast<int32_t>(batch.size());
    for (int64_t i = 0; i < n; ++i) batch.push_back({0, 0, source.data() + i * n_embd, static_cast<int32_t>(batch.size()), false});
    if (chunk.value("non_causal_in_text_model", false)) bidirectional.push_back({0, first, static_cast<int32_t>(batch.size())});
  }
  EXPECT_EQ(static_cast<int64_t>(batch.size()), run["n_past"].get<int64_t>());
  batch.back().want_logits = true;
  cache::KvCacheOptions cache_options;
  cache_options.n_ctx = static_cast<int64_t>(batch.size()) + n_greedy;
  cache::KvCache cache(model.model->kv_slots(), cache_options);
  const engine::ForwardOptions options{numerics, 512, bidirectional};
  Result<std::vector<float>> logits = model.model->forward(batch, cache, options);
  EXPECT_TRUE(logits.ok()) << (logits.ok() ? "" : logits.error());
  Outcome outcome;
  if (!logits.ok()) return outcome;
  outcome.last = *logits;
  std::vector<float> current = *logits;
  for (int step = 0; step < n_greedy; ++step) {
    int64_t best = 0;
    cpu::top_k(current.data(), static_cast<int64_t>(current.size()), 1, &best);
    outcome.greedy.push_back(static_cast<int32_t>(best));
    const engine::BatchEntry next{0, static_cast<int32_t>(best), nullptr, static_cast<int32_t>(batch.size() + step), true};
    Result<std::vector<float>> more = model.model->forward({&next, 1}, cache, {numerics, 512, {}});
    if (!more.ok()) break;
    current = *more;
  }
  return outcome;
}

double deviation_in_stds(const std::vector<float>& ours, const json& golden) {
  std::vector<float> expected = golden.get<std::vector<float>>();
  double mean = 0.0, squares = 0.0, worst = 0.0;
  for (float v : expected) mean += v;
  mean /= static_cast<double>(expected.size());
  for (float v : expected) squares += (v - mean) * (v - mean);
  const double sd = std::sqrt(squares / static_cast<double>(expected.size()));
  for (size_t i = 0; i < expected.size() && i < ours.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(ours[i]) - expected[i]));
  return worst / sd;
}

class MultimodalGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    HEARTH_REQUIRE_FIXTURES();
    std::ifstream in(test::fixture("gemma4-mmproj-tiny.golden.json"));
    golden_ = json::parse(in);
    Result<std::shared_ptr<engine::LoadedModel>> model = engine::load_model(test::fixture("gemma4-dense-tiny.gguf"));
    ASSERT_TRUE(model.ok()) << model.error();
    model_ = *model;
  }
  json golden_;
  std::shared_ptr<engine::LoadedModel> model_;
};

// Tolerance of the Gemma 4 text issue for F16 files: 0.04 × std of the golden's last logits.
constexpr double kTolerance = 0.04;

TEST_F(MultimodalGolden, TextModelWithTheGoldensEncoderOutputs) {
  for (const char* variant : {"as_stored", "f32_upcast"}) {
    const json& run = golden_["runs"][variant];
    MediaRows rows{read_f32(test::fixture(std::string("gemma4-mmproj-tiny.") + variant + ".image_embd.f32")),
                   read_f32(test::fixture(std::string("gemma4-mmproj-tiny.") + variant + ".audio_embd.f32"))};
    const auto numerics = std::string(variant) == "as_stored" ? cpu::LinearNumerics::as_stored : cpu::LinearNumerics::f32_upcast;
    const Outcome outcome = run_prompt(*model_, run["multimodal_prompt"], rows, numerics, 8);
    const double deviation = deviation_in_stds(outcome.last, run["multimodal_prompt"]["last_logits"]);
    EXPECT_LT(deviation, kTolerance) << variant;
    EXPECT_EQ(outcome.greedy, run["multimodal_prompt"]["greedy"]["tokens"].get<std::vector<int32_t>>()) << variant;
    std::printf("[ multimodal ] %s, golden encoder rows: max |Δlogit| = %.4f std\n", variant, deviation);
  }
}

TEST_F(MultimodalGolden, TextModelWithHearthsEncoders) {
  auto projector = gguf::GgufFile::open(test::fixture("gemma4-mmproj-tiny.gguf"));
  ASSERT_TRUE(projector.ok());
  Result<models::gemma4::VisionEncoder> vision = models::gemma4::VisionEncoder::load(**projector);
  ASSERT_TRUE(vision.ok()) << vision.error();
  Result<std::unique_ptr<models::gemma4::AudioEncoder>> audio = models::gemma4::AudioEncoder::load(test::fixture("gemma4-mmproj-tiny.gguf"));
  ASSERT_TRUE(audio.ok()) << audio.error();
  Result<media::RgbImage> image = media::load_image_file(test::fixture("test-1.jpeg"));
  ASSERT_TRUE(image.ok());
  Result<media::DecodedAudio> speech = media::decode_audio_file(test::fixture("speech16k.wav"));
  ASSERT_TRUE(speech.ok());
  const json& run = golden_["runs"]["as_stored"];
  const models::gemma4::ImageTokenBudget oracle_budget{40, 280};  // llama.cpp's gemma4v limits
  Result<models::gemma4::ImageEmbeddings> image_rows = models::gemma4::encode_image(*vision, *image, oracle_budget);
  ASSERT_TRUE(image_rows.ok()) << image_rows.error();
  Result<models::gemma4::AudioEmbeddings> audio_rows = models::gemma4::encode_audio(**audio, speech->samples);
  ASSERT_TRUE(audio_rows.ok()) << audio_rows.error();
  const Outcome outcome = run_prompt(*model_, run["multimodal_prompt"], {image_rows->values, audio_rows->values}, cpu::LinearNumerics::as_stored, 8);
  const double deviation = deviation_in_stds(outcome.last, run["multimodal_prompt"]["last_logits"]);
  EXPECT_LT(deviation, kTolerance);
  // Greedy tokens must agree up to the first step whose golden margin is within twice the tolerance.
  const json& greedy = run["multimodal_prompt"]["greedy"];
  const std::vector<float> last = run["multimodal_prompt"]["last_logits"].get<std::vector<float>>();
  double mean = 0, squares = 0;
  for (float v : last) mean += v;
  mean /= static_cast<double>(last.size());
  for (float v : last) squares += (v - mean) * (v - mean);
  const double margin_needed = 2 * kTolerance * std::sqrt(squares / static_cast<double>(last.size()));
  for (size_t step = 0; step < outcome.greedy.size(); ++step) {
    if (greedy["top1_minus_top2"][step].get<double>() <= margin_needed) break;
    EXPECT_EQ(outcome.greedy[step], greedy["tokens"][step].get<int32_t>()) << "step " << step;
  }
  std::printf("[ multimodal ] as_stored, hearth's encoders: max |Δlogit| = %.4f std\n", deviation);
}

}  // namespace
}  // namespace hearth
