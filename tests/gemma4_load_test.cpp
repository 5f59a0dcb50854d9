// Gemma 4 loading: the binding table against the fixture, and clear errors for broken files (copies of the
// dense fixture with one tensor or key changed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "models/gemma4/config.h"
#include "models/gemma4/weights.h"
#include "engine/loaded_model.h"
#include "models/text_model.h"
#include "support/fixtures.h"

namespace hearth {
namespace {

using models::gemma4::Binding;
using models::gemma4::Need;

const char* kDense = "gemma4-dense-tiny.gguf";

// Rewrites the dense fixture with `edit` applied to each tensor (return false to drop it) and `extra`
// applied to the writer (keys, more tensors), then tries to load the result.
Result<std::unique_ptr<models::TextModel>> load_edited(
    const std::function<bool(const gguf::TensorInfo&, std::vector<int64_t>& ne)>& edit,
    const std::function<void(gguf::GgufWriter&)>& extra = {}) {
  auto source = gguf::GgufFile::open(test::fixture(kDense));
  EXPECT_TRUE(source.ok());
  gguf::GgufWriter writer;
  for (const gguf::KeyValue& kv : (*source)->metadata()) writer.set(kv.key, kv.value);
  if (extra) extra(writer);
  for (const gguf::TensorInfo& tensor : (*source)->tensors()) {
    std::vector<int64_t> ne(tensor.ne.begin(), tensor.ne.begin() + tensor.n_dims);
    if (!edit(tensor, ne)) continue;
    std::vector<uint8_t> bytes(tensor.data, tensor.data + tensor.bytes);
    EXPECT_TRUE(writer.add_tensor(tensor.name, tensor.type, ne, std::move(bytes)).ok());
  }
  const auto path = std::filesystem::temp_directory_path() / ("gemma4_load_test_" + std::to_string(getpid()) + ".gguf");
  EXPECT_TRUE(writer.write(path).ok());
  auto model = models::load_text_model(path);
  std::filesystem::remove(path);
  return model;
}

TEST(Gemma4Load, BindingTableCoversTheFixture) {
  HEARTH_REQUIRE_FIXTURES();
  auto file = gguf::GgufFile::open(test::fixture(kDense));
  ASSERT_TRUE(file.ok()) << file.error();
  auto config = models::gemma4::load_config(**file);
  ASSERT_TRUE(config.ok()) << config.error();
  models::gemma4::Weights weights;
  size_t bound = 0;
  for (const Binding& binding : models::gemma4::bindings(*config, weights)) {
    const gguf::TensorInfo* tensor = (*file)->find_tensor(binding.name);
    if (binding.need == Need::required) {
      EXPECT_NE(tensor, nullptr) << binding.name;
    }
    if (tensor) {
      EXPECT_EQ(tensor->ne, binding.ne) << binding.name;
      ++bound;
    }
  }
  // Every text tensor of the fixture is named by the table.
  EXPECT_EQ(bound, (*file)->tensors().size());
  EXPECT_EQ(config->layers[4].kv_source, 2);  // shared sliding layer reads the last sliding layer with KV
  EXPECT_EQ(config->layers[5].kv_source, 3);  // shared full layer reads the last full layer with KV
}

TEST(Gemma4Load, MissingTensorIsNamed) {
  HEARTH_REQUIRE_FIXTURES();
  auto model = load_edited([](const gguf::TensorInfo& t, std::vector<int64_t>&) { return t.name != "blk.1.ffn_up.weight"; });
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().find("missing required tensor 'blk.1.ffn_up.weight'"), std::string::npos) << model.error();
}

TEST(Gemma4Load, MisshapenTensorIsNamed) {
  HEARTH_REQUIRE_FIXTURES();
  auto model = load_edited([](const gguf::TensorInfo& t, std::vector<int64_t>& ne) {
    if (t.name == "blk.0.attn_q_norm.weight") ne = {ne[0] / 2, 2};
    return true;
  });
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().find("tensor 'blk.0.attn_q_norm.weight': shape {32, 2}, expected {64}"), std::string::npos)
      << model.error();
}

TEST(Gemma4Load, MissingKeyIsNamed) {
  HEARTH_REQUIRE_FIXTURES();
  auto model = load_edited([](const gguf::TensorInfo&, std::vector<int64_t>&) { return true; },
                           [](gguf::GgufWriter& writer) { writer.set("gemma4.attention.sliding_window_pattern", gguf::Value::u32(5)); });
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().find("gemma4.attention.sliding_window_pattern"), std::string::npos) << model.error();
}

// Ollama-style single files carry the vision / audio towers beside the text tensors.
TEST(Gemma4Load, TowerTensorsAreIgnored) {
  HEARTH_REQUIRE_FIXTURES();
  auto model = load_edited([](const gguf::TensorInfo&, std::vector<int64_t>&) { return true; },
                           [](gguf::GgufWriter& writer) {
                             for (const char* name : {"v.patch_embd.weight", "a.conv1d.0.weight", "mm.input_projection.weight"}) {
                               EXPECT_TRUE(writer.add_tensor(name, TensorType::F32, {3, 5}, std::vector<uint8_t>(60)).ok());
                             }
                           });
  ASSERT_TRUE(model.ok()) << model.error();
}

// Ollama's own converter writes the vocabulary as model "llama" with pre "gemma4" and the sliding RoPE base
// as rope.local.freq_base; such a file must tokenize and compute exactly as the llama.cpp-style original.
// Both copies use a sliding base other than the 10000 default, so a missed fallback shows.
std::filesystem::path write_rope_variant(bool ollama_style) {
  auto source = gguf::GgufFile::open(test::fixture(kDense));
  EXPECT_TRUE(source.ok());
  gguf::GgufWriter writer;
  for (const gguf::KeyValue& kv : (*source)->metadata()) {
    if (kv.key == "gemma4.rope.freq_base_swa") {
      writer.set(ollama_style ? "gemma4.rope.local.freq_base" : kv.key, gguf::Value::f32(20000.0f));
    } else if (kv.key == "tokenizer.ggml.model" && ollama_style) {
      writer.set(kv.key, gguf::Value::string("llama"));
      writer.set("tokenizer.ggml.pre", gguf::Value::string("gemma4"));
    } else {
      writer.set(kv.key, kv.value);
    }
  }
  for (const gguf::TensorInfo& tensor : (*source)->tensors()) {
    std::vector<int64_t> ne(tensor.ne.begin(), tensor.ne.begin() + tensor.n_dims);
    EXPECT_TRUE(writer.add_tensor(tensor.name, tensor.type, ne, std::vector<uint8_t>(tensor.data, tensor.data + tensor.bytes)).ok());
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("gemma4_rope_" + std::string(ollama_style ? "ollama_" : "llama_") + std::to_string(getpid()) + ".gguf");
  EXPECT_TRUE(writer.write(path).ok());
  return path;
}

TEST(Gemma4Load, OllamaPublishedKeysGiveTheSameModel) {
  HEARTH_REQUIRE_FIXTURES();
  const auto ollama_path = write_rope_variant(true), llama_path = write_rope_variant(false);
  auto ollama = engine::load_model(ollama_path);
  auto llama = engine::load_model(llama_path);
  auto original = engine::load_model(test::fixture(kDense));
  std::filesystem::remove(ollama_path);
  std::filesystem::remove(llama_path);
  ASSERT_TRUE(ollama.ok()) << ollama.error();
  ASSERT_TRUE(llama.ok()) << llama.error();
  ASSERT_TRUE(original.ok()) << original.error();

  const std::string text = "Hello <|turn>user\nWhy is the sky blue? It scatters light, mostly the short wavelengths.";
  const std::vector<int32_t> tokens = (*llama)->tokenizer.tokenize(text, true, true);
  EXPECT_EQ((*ollama)->tokenizer.tokenize(text, true, true), tokens);
  auto logits = [&](engine::LoadedModel& model) {
    cache::KvCache cache(model.model->kv_slots(), {});
    std::vector<engine::BatchEntry> batch;
    for (size_t i = 0; i < tokens.size(); ++i) batch.push_back({0, tokens[i], nullptr, static_cast<int32_t>(i), i + 1 == tokens.size()});
    auto out = model.model->forward(batch, cache, {});
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : std::vector<float>{};
  };
  const std::vector<float> expected = logits(**llama);
  EXPECT_EQ(logits(**ollama), expected);
  EXPECT_NE(logits(**original), expected);  // the base matters, so the comparison above can fail
}

}  // namespace
}  // namespace hearth
