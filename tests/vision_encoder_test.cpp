// The Gemma 4 vision tower against the mmproj goldens (llama.cpp oracle): hyperparameters from the file,
// preprocessing of test-1.jpeg, the encoder on the golden's own resized image (isolates the encoder) and on
// our own decode + resize (the whole path), `hearth encode --image`, and load errors.
#include <cmath>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "media/image_decode.h"
#include "models/gemma4/vision_encoder.h"
#include "models/gemma4/vision_preprocess.h"
#include "support/fixtures.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace hearth::models::gemma4 {
namespace {

constexpr const char* kMmproj = "gemma4-mmproj-tiny.gguf";

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<float> read_floats(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);
  return values;
}

double relative_l2(const std::vector<float>& got, const std::vector<float>& want) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff += (double{got[i]} - want[i]) * (double{got[i]} - want[i]);
    norm += double{want[i]} * want[i];
  }
  return std::sqrt(diff / norm);
}

nlohmann::json golden_image_run(const char* variant) {
  std::ifstream in(test::fixture("gemma4-mmproj-tiny.golden.json"));
  return nlohmann::json::parse(in)["runs"][variant]["image"];
}

// The golden's resized image (planar [3][H][W]) as an RgbImage.
media::RgbImage golden_resized_image() {
  const nlohmann::json pre = golden_image_run("as_stored")["preprocessed"];
  const int64_t width = pre["ggml_ne"][0], height = pre["ggml_ne"][1];
  const std::vector<uint8_t> planes = read_bytes(test::fixture("gemma4-mmproj-tiny.image_preproc.u8"));
  media::RgbImage image = media::make_rgb_image(width, height);
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t i = 0; i < width * height; ++i) image.pixels[3 * i + c] = planes[c * width * height + i];
  }
  return image;
}

class VisionFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    HEARTH_REQUIRE_FIXTURES();
    Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(test::fixture(kMmproj));
    ASSERT_TRUE(opened) << opened.error();
    file_ = std::move(*opened);
    Result<VisionEncoder> loaded = VisionEncoder::load(*file_);
    ASSERT_TRUE(loaded) << loaded.error();
    encoder_ = std::make_unique<VisionEncoder>(std::move(*loaded));
  }
  std::unique_ptr<gguf::GgufFile> file_;
  std::unique_ptr<VisionEncoder> encoder_;
};

TEST_F(VisionFixture, HyperparametersComeFromTheFile) {
  const VisionConfig& c = encoder_->config();
  EXPECT_TRUE(has_vision_tower(*file_));
  EXPECT_EQ(c.n_layer, 2);
  EXPECT_EQ(c.n_embd, 128);
  EXPECT_EQ(c.n_head, 2);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.n_ff, 256);
  EXPECT_EQ(c.patch_size, 16);
  EXPECT_EQ(c.n_merge, 3);
  EXPECT_EQ(c.position_table_size, 256);
  EXPECT_EQ(c.n_embd_text, 256);
  EXPECT_EQ(c.activation, VisionActivation::gelu_quick_f16);
  EXPECT_EQ(encoder_->weights().layers.size(), 2u);
  EXPECT_LT(encoder_->weights().layers[0].attn_q.input_max, 1e30f);  // the fixture's clamps bind
}

TEST_F(VisionFixture, InputSizeFollowsTheTokenBudget) {
  const VisionConfig& c = encoder_->config();
  const auto budget = [](int64_t min_tokens, int64_t max_tokens) { return ImageTokenBudget{min_tokens, max_tokens}; };
  // test-1.jpeg: each side rounded to a multiple of 48.
  EXPECT_EQ(vision_input_size(c, 640, 488, budget(40, 280)).width, 624);
  EXPECT_EQ(vision_input_size(c, 640, 488, budget(40, 280)).height, 480);
  // Over budget: scaled down to fit, each side rounded down to a multiple of 48.
  const ImageSize small = vision_input_size(c, 640, 488, budget(70, 70));
  EXPECT_EQ(small.width, 432);
  EXPECT_EQ(small.height, 336);
  // A large screenshot gets more tokens from a larger budget, never more than it.
  for (int64_t max_tokens : {70, 140, 280, 560, 1120}) {
    const ImageSize s = vision_input_size(c, 2560, 1440, budget(70, max_tokens));
    EXPECT_LE(s.width / 48 * (s.height / 48), max_tokens) << max_tokens;
    EXPECT_GE(s.width / 48 * (s.height / 48), max_tokens * 7 / 10) << max_tokens;
  }
  // Small images are scaled up to at least the minimum, and never past the maximum.
  const ImageSize tiny = vision_input_size(c, 20, 20, {});
  EXPECT_GE(tiny.width / 48 * (tiny.height / 48), kDefaultImageMinTokens);
  const ImageSize lifted = vision_input_size(c, 640, 488, budget(280, 560));
  EXPECT_EQ(lifted.width / 48 * (lifted.height / 48), 300);
  const ImageSize capped = vision_input_size(c, 640, 488, budget(280, 280));
  EXPECT_LE(capped.width / 48 * (capped.height / 48), 280);
}

TEST(VisionBudget, UserValuesAreCheckedAndCombinedWithTheDefaults) {
  EXPECT_TRUE(check_token_budget("image_max_tokens", 1120));
  const Status bad = check_token_budget("image_max_tokens", 100);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("image_max_tokens must be one of 70, 140, 280, 560, 1120"), std::string::npos) << bad.error();
  const ImageTokenBudget defaults = image_token_budget(std::nullopt, std::nullopt);
  EXPECT_EQ(defaults.min_tokens, kDefaultImageMinTokens);
  EXPECT_EQ(defaults.max_tokens, kDefaultImageMaxTokens);
  const ImageTokenBudget lowered = image_token_budget(1120, 140);
  EXPECT_EQ(lowered.min_tokens, 140);
  EXPECT_EQ(lowered.max_tokens, 140);
  const ImageTokenBudget over = image_token_budget(std::nullopt, 280, {40, 1120});
  EXPECT_EQ(over.min_tokens, 40);
  EXPECT_EQ(over.max_tokens, 280);
}

TEST_F(VisionFixture, PreprocessingIsCloseToTheGoldenResizedImage) {
  Result<media::RgbImage> decoded = media::load_image_file(test::fixture("test-1.jpeg"));
  ASSERT_TRUE(decoded) << decoded.error();
  Result<media::RgbImage> resized = preprocess_image(encoder_->config(), *decoded, {40, 280});
  ASSERT_TRUE(resized) << resized.error();
  const media::RgbImage golden = golden_resized_image();
  ASSERT_EQ(resized->width, golden.width);
  ASSERT_EQ(resized->height, golden.height);
  int64_t equal = 0, max_diff = 0;
  for (size_t i = 0; i < golden.pixels.size(); ++i) {
    const int64_t diff = std::abs(int64_t{resized->pixels[i]} - golden.pixels[i]);
    equal += diff == 0;
    max_diff = std::max(max_diff, diff);
  }
  // The letterbox rows (2 black rows above and below) are exact; the rest differs by JPEG decoder rounding
  // (stb_image in the oracle): measured 77.2% equal, max 8.
  for (int64_t x = 0; x < golden.width; ++x) {
    for (int64_t y : {0, 1, 478, 479}) EXPECT_EQ(resized->pixel(x, y)[0], 0);
  }
  EXPECT_GE(static_cast<double>(equal) / static_cast<double>(golden.pixels.size()), 0.76);
  EXPECT_LE(max_diff, 8);
}

TEST_F(VisionFixture, EncoderMatchesBothGoldenVariantsOnTheGoldenInput) {
  const media::RgbImage input = golden_resized_image();
  for (const auto& [variant, numerics] : {std::pair{"as_stored", cpu::LinearNumerics::as_stored},
                                          std::pair{"f32_upcast", cpu::LinearNumerics::f32_upcast}}) {
    VisionRunOptions options;
    options.numerics = numerics;
    Result<ImageEmbeddings> out = encode_preprocessed_image(*encoder_, input, options);
    ASSERT_TRUE(out) << out.error();
    const nlohmann::json run = golden_image_run(variant);
    EXPECT_EQ(out->n_tokens, run["n_soft_tokens"].get<int64_t>());
    EXPECT_EQ(out->n_embd, run["n_embd"].get<int64_t>());
    const std::vector<float> golden = read_floats(test::fixture(run["embeddings"]["data_file"].get<std::string>()));
    ASSERT_EQ(out->values.size(), golden.size());
    // Measured 2.2e-4 (as_stored) and 1.1e-4 (f32_upcast).
    EXPECT_LT(relative_l2(out->values, golden), 1e-3) << variant;
  }
}

TEST_F(VisionFixture, WholePathFromTheJpegIsWithinTolerance) {
  Result<media::RgbImage> decoded = media::load_image_file(test::fixture("test-1.jpeg"));
  ASSERT_TRUE(decoded) << decoded.error();
  Result<ImageEmbeddings> out = encode_image(*encoder_, *decoded, {40, 280});
  ASSERT_TRUE(out) << out.error();
  const nlohmann::json run = golden_image_run("as_stored");
  EXPECT_EQ(out->n_tokens, run["n_soft_tokens"].get<int64_t>());
  EXPECT_EQ(out->grid_width * out->grid_height, out->n_tokens);
  const std::vector<float> golden = read_floats(test::fixture(run["embeddings"]["data_file"].get<std::string>()));
  // Measured 4.7e-3: all of it from the resized image's decoder differences (see the test above).
  EXPECT_LT(relative_l2(out->values, golden), 5e-3);
}

TEST_F(VisionFixture, RejectsInputsOffTheGrid) {
  EXPECT_FALSE(encode_preprocessed_image(*encoder_, media::make_rgb_image(100, 96)));
  // 86 × 48 pixels are 258 patches per row: more than the fixture's 256-row position table.
  Result<ImageEmbeddings> too_wide = encode_preprocessed_image(*encoder_, media::make_rgb_image(48 * 86, 48));
  ASSERT_FALSE(too_wide);
  EXPECT_NE(too_wide.error().find("position table"), std::string::npos) << too_wide.error();
}

// A copy of the fixture with one tensor dropped or reshaped must fail to load, naming the tensor.
class VisionLoadErrors : public VisionFixture {
 protected:
  // `victim` dropped (drop) or with its shape reversed; with ollama_keys the clip.vision.* keys become
  // gemma4.vision.* and the other clip.* keys go, as in an Ollama single-file model.
  Result<VisionEncoder> load_edited(const std::string& victim, bool drop, bool ollama_keys = false) {
    gguf::GgufWriter writer;
    for (const gguf::KeyValue& kv : file_->metadata()) {
      if (!ollama_keys) {
        writer.set(kv.key, kv.value);
      } else if (kv.key.starts_with("clip.vision.")) {
        writer.set("gemma4.vision." + kv.key.substr(12), kv.value);
      } else if (!kv.key.starts_with("clip.")) {
        writer.set(kv.key, kv.value);
      }
    }
    for (const gguf::TensorInfo& t : file_->tensors()) {
      if (t.name == victim && drop) continue;
      std::vector<int64_t> ne(t.ne.begin(), t.ne.begin() + std::max(t.n_dims, 1u));
      if (t.name == victim) std::reverse(ne.begin(), ne.end());
      const std::span<const uint8_t> bytes = t.bytes_view();
      EXPECT_TRUE(writer.add_tensor(t.name, t.type, ne, std::vector<uint8_t>(bytes.begin(), bytes.end())));
    }
    const std::filesystem::path path = dir_ / "edited.gguf";
    EXPECT_TRUE(writer.write(path));
    Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(path);
    EXPECT_TRUE(opened) << opened.error();
    edited_ = std::move(*opened);
    return VisionEncoder::load(*edited_);
  }
  test::TempDir dir_{"vision_load"};
  std::unique_ptr<gguf::GgufFile> edited_;
};

TEST_F(VisionLoadErrors, MissingTensorIsNamed) {
  Result<VisionEncoder> loaded = load_edited("v.blk.1.ffn_down.weight", true);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("v.blk.1.ffn_down.weight"), std::string::npos) << loaded.error();
}

TEST_F(VisionLoadErrors, MisShapedTensorIsNamed) {
  Result<VisionEncoder> loaded = load_edited("v.blk.0.attn_q_norm.weight", false);
  ASSERT_TRUE(loaded);  // a 1-D tensor reversed is the same shape
  Result<VisionEncoder> reshaped = load_edited("v.blk.0.ffn_gate.weight", false);
  ASSERT_FALSE(reshaped);
  EXPECT_NE(reshaped.error().find("v.blk.0.ffn_gate.weight"), std::string::npos) << reshaped.error();
  EXPECT_NE(reshaped.error().find("shape"), std::string::npos) << reshaped.error();
}

TEST_F(VisionLoadErrors, OllamaStyleKeysGiveTheSameEncoder) {
  Result<VisionEncoder> ollama = load_edited("", false, true);
  ASSERT_TRUE(ollama) << ollama.error();
  EXPECT_TRUE(has_vision_tower(*edited_));
  EXPECT_EQ(ollama->config().n_embd, encoder_->config().n_embd);
  const media::RgbImage input = golden_resized_image();
  Result<ImageEmbeddings> a = encode_preprocessed_image(*ollama, input), b = encode_preprocessed_image(*encoder_, input);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->values, b->values);
}

TEST(VisionEncodeCli, PrintsSoftTokensAndTheResizedImage) {
  HEARTH_REQUIRE_FIXTURES();
  const test::ProcessResult run = test::run_process(
      {test::hearth_binary().string(), "encode", test::fixture("gemma4-dense-tiny.gguf").string(), "--mmproj",
       test::fixture(kMmproj).string(), "--image", test::fixture("test-1.jpeg").string(), "--preprocessed", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["n_tokens"], 130);
  EXPECT_EQ(out["dim"], 256);
  EXPECT_EQ(out["values"].size(), 130u * 256u);
  EXPECT_EQ(out["image"]["width"], 624);
  EXPECT_EQ(out["image"]["height"], 480);
  EXPECT_EQ(out["image"]["values"].size(), 3u * 624u * 480u);

  const test::ProcessResult small = test::run_process(
      {test::hearth_binary().string(), "encode", test::fixture("gemma4-dense-tiny.gguf").string(), "--mmproj",
       test::fixture(kMmproj).string(), "--image", test::fixture("test-1.jpeg").string(), "--image-tokens", "70", "--json"});
  ASSERT_EQ(small.exit_code, 0) << small.err;
  EXPECT_LE(nlohmann::json::parse(small.out)["n_tokens"].get<int>(), 70);

  const test::ProcessResult no_tower = test::run_process(
      {test::hearth_binary().string(), "encode", test::fixture("gemma4-dense-tiny.gguf").string(), "--image",
       test::fixture("test-1.jpeg").string()});
  EXPECT_EQ(no_tower.exit_code, 1);
  EXPECT_NE(no_tower.err.find("no Gemma 4 vision tower"), std::string::npos) << no_tower.err;
}

}  // namespace
}  // namespace hearth::models::gemma4
