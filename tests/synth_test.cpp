// `hearth synth`: the tiny presets reproduce the layout of the llama.cpp-converted fixtures, the real presets
// have the released parameter counts, and the weights are a pure function of the seed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <variant>
#include <vector>

#include "gguf/gguf_file.h"
#include "support/fixtures.h"
#include "tensor/fp16.h"
#include "synth/presets.h"
#include "synth/random_fill.h"
#include "synth/synth_model.h"
#include "synth/synth_vocab.h"
#include "synth/tensor_plan.h"
#include "synth/vision_projector.h"
#include "models/gemma4/vision_encoder.h"

namespace hearth::synth {
namespace {

// A file in the system temp folder, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("hearth_synth_" + std::to_string(getpid()) + "_" + name + ".gguf")) {}
  ~TempFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const Gemma4Shape& preset_shape(std::string_view name) {
  const ShapePreset* preset = find_preset(name);
  EXPECT_NE(preset, nullptr) << name;
  return preset->shape;
}

void write_model(const Gemma4Shape& shape, uint64_t seed, const std::filesystem::path& path) {
  SynthOptions options{shape, "synth test", "", seed, TensorType::F16, 2};
  Status written = write_synth_model(options, path);
  ASSERT_TRUE(written) << written.error();
}

std::unique_ptr<gguf::GgufFile> open_gguf(const std::filesystem::path& path) {
  auto file = gguf::GgufFile::open(path);
  EXPECT_TRUE(file) << path << ": " << file.error();
  return file ? std::move(file).value() : nullptr;
}

std::vector<char> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool same_value(const gguf::Value& a, const gguf::Value& b) {
  if (a.type != b.type) return false;
  if (a.data.index() != b.data.index()) return false;
  if (a.type != gguf::ValueType::ARRAY) {
    return std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, gguf::Array>) {
            return false;
          } else {
            return std::get<T>(b.data) == x;
          }
        },
        a.data);
  }
  const auto& left = std::get<gguf::Array>(a.data);
  const auto& right = std::get<gguf::Array>(b.data);
  if (left.element_type != right.element_type || left.items.size() != right.items.size()) return false;
  for (size_t i = 0; i < left.items.size(); ++i) {
    if (!same_value(left.items[i], right.items[i])) return false;
  }
  return true;
}

gguf::ValueType element_type(const gguf::Value& value) {
  return value.type == gguf::ValueType::ARRAY ? std::get<gguf::Array>(value.data).element_type : value.type;
}

// Same tensors (order, name, shape, type) and same metadata keys in the same order with the same types. The
// hyperparameters must also have the same values; the tokenizer and the name are synthetic.
void expect_same_layout(const gguf::GgufFile& ours, const gguf::GgufFile& reference) {
  ASSERT_EQ(ours.tensors().size(), reference.tensors().size());
  for (size_t i = 0; i < ours.tensors().size(); ++i) {
    const gguf::TensorInfo& a = ours.tensors()[i];
    const gguf::TensorInfo& b = reference.tensors()[i];
    EXPECT_EQ(a.name, b.name) << "tensor " << i;
    EXPECT_EQ(a.n_dims, b.n_dims) << a.name;
    EXPECT_EQ(a.ne, b.ne) << a.name;
    EXPECT_EQ(a.type, b.type) << a.name;
  }
  ASSERT_EQ(ours.metadata().size(), reference.metadata().size());
  for (size_t i = 0; i < ours.metadata().size(); ++i) {
    const gguf::KeyValue& a = ours.metadata()[i];
    const gguf::KeyValue& b = reference.metadata()[i];
    ASSERT_EQ(a.key, b.key) << "metadata " << i;
    EXPECT_EQ(a.value.type, b.value.type) << a.key;
    EXPECT_EQ(element_type(a.value), element_type(b.value)) << a.key;
    if (!a.key.starts_with("tokenizer.") && a.key != "general.name") {
      EXPECT_TRUE(same_value(a.value, b.value)) << a.key;
    }
  }
}

void expect_fixture_layout(std::string_view preset, const std::string& fixture) {
  TempFile file{std::string(preset)};
  write_model(preset_shape(preset), 1, file.path());
  auto ours = open_gguf(file.path());
  auto reference = open_gguf(test::fixture(fixture));
  ASSERT_TRUE(ours && reference);
  expect_same_layout(*ours, *reference);
}

TEST(SynthTest, TinyFileHasTheLayoutOfTheDenseFixture) {
  HEARTH_REQUIRE_FIXTURES();
  expect_fixture_layout("tiny", "gemma4-dense-tiny.gguf");
}

TEST(SynthTest, TinyMoeFileHasTheLayoutOfTheMoeFixture) {
  HEARTH_REQUIRE_FIXTURES();
  expect_fixture_layout("tiny-moe", "gemma4-moe-tiny.gguf");
}

TEST(SynthTest, CompactVocabHasTheFixtureSpecialTokens) {
  HEARTH_REQUIRE_FIXTURES();
  auto reference = open_gguf(test::fixture("gemma4-dense-tiny.gguf"));
  ASSERT_TRUE(reference);
  const auto tokens = reference->get_string_array("tokenizer.ggml.tokens");
  const auto types = reference->get_int_array("tokenizer.ggml.token_type");
  ASSERT_TRUE(tokens && types);
  const SynthVocab vocab = build_synth_vocab(1024);
  for (uint32_t id = 0; id < 23 + 256; ++id) {  // specials, then the byte tokens
    EXPECT_EQ(vocab.tokens[id], (*tokens)[id]) << id;
    EXPECT_EQ(static_cast<int64_t>(vocab.types[id]), (*types)[id]) << id;
  }
}

TEST(SynthTest, WrittenFileReadsBackWithItsPlan) {
  const Gemma4Shape& shape = preset_shape("tiny-moe");
  TempFile file("readback");
  write_model(shape, 5, file.path());
  auto gguf = open_gguf(file.path());
  ASSERT_TRUE(gguf);
  const std::vector<PlannedTensor> plan = plan_gemma4_tensors(shape, TensorType::F16);
  ASSERT_EQ(gguf->tensors().size(), plan.size());
  for (const PlannedTensor& planned : plan) {
    const gguf::TensorInfo* tensor = gguf->find_tensor(planned.name);
    ASSERT_NE(tensor, nullptr) << planned.name;
    ASSERT_EQ(tensor->bytes, planned.bytes()) << planned.name;
    std::vector<uint8_t> expected(planned.bytes());
    ASSERT_TRUE(fill_tensor(planned, 5, expected, 1));
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), tensor->data)) << planned.name;
  }
  EXPECT_EQ(gguf->get_uint("tokenizer.ggml.bos_token_id").value(), 2u);
  EXPECT_EQ(gguf->get_string_array("tokenizer.ggml.tokens")->size(), shape.n_vocab);
}

TEST(SynthTest, SameSeedGivesSameBytesAnotherSeedDifferent) {
  const Gemma4Shape& shape = preset_shape("tiny");
  TempFile first("seed7a"), again("seed7b"), other("seed8");
  write_model(shape, 7, first.path());
  write_model(shape, 7, again.path());
  write_model(shape, 8, other.path());
  const std::vector<char> bytes = file_bytes(first.path());
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes, file_bytes(again.path()));
  const std::vector<char> other_bytes = file_bytes(other.path());
  ASSERT_EQ(bytes.size(), other_bytes.size());  // same layout, other values
  EXPECT_NE(bytes, other_bytes);
}

TEST(SynthTest, WeightsDoNotDependOnThreadCount) {
  const PlannedTensor tensor{"blk.0.ffn_up.weight", {1024, 3000}, TensorType::F16, {InitRule::Kind::Gaussian, 0.0f, 0.03f}};
  std::vector<uint8_t> one_thread(tensor.bytes()), many_threads(tensor.bytes());
  ASSERT_TRUE(fill_tensor(tensor, 3, one_thread, 1));
  ASSERT_TRUE(fill_tensor(tensor, 3, many_threads, 3));
  EXPECT_EQ(one_thread, many_threads);
}

// The F16 path rounds with its own fast conversion; it must agree with the reference on every value, including
// the small ones that become subnormal halves.
TEST(SynthTest, F16WeightsAreTheF32WeightsRounded) {
  PlannedTensor wide{"blk.0.attn_q.weight", {256, 1024}, TensorType::F32, {InitRule::Kind::Gaussian, 0.0f, 1e-4f}};
  PlannedTensor half = wide;
  half.type = TensorType::F16;
  std::vector<uint8_t> wide_bytes(wide.bytes()), half_bytes(half.bytes());
  ASSERT_TRUE(fill_tensor(wide, 9, wide_bytes, 1));
  ASSERT_TRUE(fill_tensor(half, 9, half_bytes, 1));
  for (int64_t i = 0; i < wide.elements(); ++i) {
    float value;
    uint16_t stored;
    std::memcpy(&value, wide_bytes.data() + 4 * i, 4);
    std::memcpy(&stored, half_bytes.data() + 2 * i, 2);
    ASSERT_EQ(stored, f32_to_fp16(value)) << i << ": " << value;
  }
}

TEST(SynthTest, UnitNormalHasUnitVariance) {
  const uint64_t key = tensor_stream_key(11, "token_embd.weight");
  constexpr int kSamples = 200000;
  double sum = 0.0, sum_squares = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const double x = unit_normal(key, static_cast<uint64_t>(i));
    sum += x;
    sum_squares += x * x;
  }
  EXPECT_NEAR(sum / kSamples, 0.0, 0.01);
  EXPECT_NEAR(sum_squares / kSamples, 1.0, 0.01);
}

// E2B's shapes added up by hand from spec/gemma4.md §1.1 and §3. Google's "5.1B with embeddings" also counts
// the vision and audio towers, which live in the mmproj file.
TEST(SynthTest, E2bPlanHasTheReleasedParameterCount) {
  const uint64_t d = 1536, vocab = 262144, layers = 35, ple = 256, ff = 6144;
  const uint64_t embeddings = vocab * d + vocab * ple * layers + d * ple * layers + ple + d + 256;  // + rope_freqs
  const uint64_t per_layer = 5 * d + 1 + 2 * d * ple;  // norms, output scale, PLE gate and projection
  // Released E2B carries K and V projections on every layer, also the 20 KV-shared ones; one KV head.
  const uint64_t sliding_attention = 2 * d * 8 * 256 + 2 * d * 256 + 2 * 256;
  const uint64_t full_attention = 2 * d * 8 * 512 + 2 * d * 512 + 2 * 512;
  const uint64_t mlp = 15 * 3 * d * ff + 20 * 3 * d * 2 * ff;  // double-wide on the 20 shared layers
  const uint64_t expected = embeddings + layers * per_layer + 28 * sliding_attention + 7 * full_attention + mlp;

  const std::vector<PlannedTensor> plan = plan_gemma4_tensors(preset_shape("e2b"), TensorType::F16);
  EXPECT_EQ(parameter_count(plan), expected);
  EXPECT_EQ(parameter_count(plan), 4'647'450'147u);
  EXPECT_EQ(plan.size(), 6 + 35 * 17u);
}

// llama.cpp prints "7.52 B" when loading the released E4B GGUF; 31B and 26B-A4B are published as 30.7B and
// 25.2B (text weights; their vision tower is in the mmproj file).
TEST(SynthTest, RealPresetsMatchPublishedSizes) {
  EXPECT_EQ(parameter_count(plan_gemma4_tensors(preset_shape("e4b"), TensorType::F16)), 7'518'069'290u);
  EXPECT_EQ(parameter_count(plan_gemma4_tensors(preset_shape("31b"), TensorType::F16)), 30'697'345'596u);
  EXPECT_EQ(parameter_count(plan_gemma4_tensors(preset_shape("26b-a4b"), TensorType::F16)), 25'233'142'046u);
}

TEST(SynthTest, DtypeRuleFollowsTheConverter) {
  for (const PlannedTensor& tensor : plan_gemma4_tensors(preset_shape("tiny-moe"), TensorType::F16)) {
    const bool f32 = tensor.ne.size() == 1 || tensor.name.ends_with(".scale") ||
                     tensor.name.ends_with("ffn_gate_inp.weight");
    EXPECT_EQ(tensor.type, f32 ? TensorType::F32 : TensorType::F16) << tensor.name;
  }
}

TEST(SynthTest, RealVocabKeepsTheRealIds) {
  const SynthVocab vocab = build_synth_vocab(262144);
  ASSERT_EQ(vocab.tokens.size(), 262144u);
  EXPECT_EQ(vocab.tokens[2], "<bos>");
  EXPECT_EQ(vocab.tokens[50], "<|tool_response>");
  EXPECT_EQ(vocab.types[50], TokenType::UserDefined);
  EXPECT_EQ(vocab.tokens[106], "<turn|>");
  EXPECT_EQ(vocab.tokens[107], "\n");
  EXPECT_EQ(vocab.tokens[109], "\n\n\n");
  EXPECT_EQ(vocab.tokens[138], "\xE2\x96\x81\xE2\x96\x81");
  EXPECT_EQ(vocab.tokens[238], "<0x00>");
  EXPECT_EQ(vocab.tokens[493], "<0xFF>");
  EXPECT_EQ(vocab.types[493], TokenType::Byte);
  EXPECT_EQ(vocab.tokens[255999], "<|image>");
  EXPECT_EQ(vocab.tokens[258880], "<|image|>");
  EXPECT_EQ(vocab.tokens[258884], "<|video|>");
  EXPECT_EQ(vocab.eos_id, 1u);

  const std::unordered_set<std::string> unique(vocab.tokens.begin(), vocab.tokens.end());
  EXPECT_EQ(unique.size(), vocab.tokens.size());
  EXPECT_EQ(unique.count(""), 0u);
  ASSERT_FALSE(vocab.merges.empty());
  for (const std::string& merge : vocab.merges) {
    const size_t space = merge.find(' ');
    ASSERT_NE(space, std::string::npos) << merge;
    const std::string left = merge.substr(0, space), right = merge.substr(space + 1);
    EXPECT_TRUE(unique.contains(left) && unique.contains(right) && unique.contains(left + right)) << merge;
  }
}

TEST(SynthTest, LayerOverrideMovesTheSharedTailBehindADonorPair) {
  // 20 of 35 shared scales to 6 of 10, but layer 4 is the first tail start with a sliding and a global donor.
  ShapeOverrides ten_layers;
  ten_layers.n_layer = 10;
  Result<Gemma4Shape> shape = customize(preset_shape("e2b"), ten_layers);
  ASSERT_TRUE(shape) << shape.error();
  EXPECT_EQ(shape->n_layer, 10u);
  EXPECT_EQ(shape->n_kv_shared, 5u);
  ShapeOverrides small_vocab;
  small_vocab.n_vocab = 100;
  EXPECT_FALSE(customize(preset_shape("tiny"), small_vocab));
}

TEST(SynthTest, CliListsPresetsAndWritesAModel) {
  FILE* pipe = popen((test::hearth_binary().string() + " synth --list").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string listing;
  char chunk[512];
  while (size_t n = fread(chunk, 1, sizeof chunk, pipe)) listing.append(chunk, n);
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_NE(listing.find("e2b"), std::string::npos);
  EXPECT_NE(listing.find("4.65B"), std::string::npos);

  TempFile file("cli");
  const std::string command = test::hearth_binary().string() + " synth --preset tiny --layers 2 --vocab 512 --type f32 --out " +
                              file.path().string() + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto gguf = open_gguf(file.path());
  ASSERT_TRUE(gguf);
  EXPECT_EQ(gguf->get_uint("gemma4.block_count").value(), 2u);
  EXPECT_EQ(gguf->get_uint("general.file_type").value(), 0u);
  EXPECT_EQ(gguf->find_tensor("token_embd.weight")->ne[1], 512);
  EXPECT_EQ(gguf->find_tensor("token_embd.weight")->type, TensorType::F32);
  EXPECT_FALSE(gguf->find("tokenizer.chat_template"));
}

TEST(SynthTest, CliCopiesTheChatTemplateFromAnotherFile) {
  HEARTH_REQUIRE_FIXTURES();
  const std::filesystem::path source = test::fixture("vocab/ggml-vocab-gemma-4.gguf");
  TempFile file("template");
  const std::string command = test::hearth_binary().string() + " synth --preset tiny-moe --out " +
                              file.path().string() + " --chat-template-from " + source.string() + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto ours = open_gguf(file.path());
  auto reference = open_gguf(source);
  ASSERT_TRUE(ours && reference);
  EXPECT_EQ(ours->get_string("tokenizer.chat_template").value(), reference->get_string("tokenizer.chat_template").value());
}

// A scaled-down vision projector loads as the engine's gemma4v tower and encodes an image to finite soft tokens
// of the text width; the real shape has the E2B/E4B tower's size.
TEST(SynthTest, VisionProjectorLoadsAndEncodes) {
  VisionShape shape;
  shape.n_layer = 2;
  shape.n_embd = 64;
  shape.n_head = 4;
  shape.n_ff = 128;
  shape.position_table_size = 32;
  shape.n_embd_text = 48;
  TempFile file("vision");
  ASSERT_TRUE(write_synth_vision_projector(shape, TensorType::F16, 3, 2, file.path()));
  auto gguf = open_gguf(file.path());
  ASSERT_TRUE(gguf);
  Result<models::gemma4::VisionEncoder> encoder = models::gemma4::VisionEncoder::load(*gguf);
  ASSERT_TRUE(encoder) << encoder.error();
  media::RgbImage image;
  image.width = 96;
  image.height = 144;
  image.pixels.assign(static_cast<size_t>(3 * image.width * image.height), 0);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 7);
  Result<models::gemma4::ImageEmbeddings> out = models::gemma4::encode_preprocessed_image(*encoder, image);
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->n_tokens, 2 * 3);
  EXPECT_EQ(out->n_embd, 48);
  for (float v : out->values) ASSERT_TRUE(std::isfinite(v));

  const std::vector<PlannedTensor> real = plan_vision_projector_tensors(VisionShape{.n_embd_text = 1536}, TensorType::F16);
  EXPECT_EQ(parameter_count(real), 168'545'792u);
}

}  // namespace
}  // namespace hearth::synth
