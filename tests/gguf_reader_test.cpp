// Every fixture GGUF parses, and its tensor table matches the generator's manifest.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "gguf/gguf_file.h"
#include "support/fixtures.h"

namespace hearth::gguf {
namespace {

std::vector<std::filesystem::path> fixture_ggufs() {
  std::vector<std::filesystem::path> paths;
  for (const auto& dir : {test::fixtures_dir(), test::fixtures_dir() / "vocab"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".gguf") paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

nlohmann::json load_manifest() {
  std::ifstream in(test::fixture("fixtures_manifest.json"));
  return nlohmann::json::parse(in);
}

std::unique_ptr<GgufFile> open_or_fail(const std::filesystem::path& path) {
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open(path);
  EXPECT_TRUE(file.ok()) << path << ": " << (file.ok() ? "" : file.error());
  return file.ok() ? std::move(file).value() : nullptr;
}

TEST(GgufReader, EveryFixtureParsesWithDataInsideTheFile) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<std::filesystem::path> paths = fixture_ggufs();
  ASSERT_GE(paths.size(), 20u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path.string());
    std::unique_ptr<GgufFile> file = open_or_fail(path);
    if (!file) continue;
    EXPECT_EQ(file->version(), 3u);
    EXPECT_EQ(file->alignment(), 32u);
    EXPECT_EQ(file->shard_count(), 1u);
    EXPECT_EQ(file->file_size(), std::filesystem::file_size(path));
    EXPECT_TRUE(file->get_string("general.architecture").ok());
    const uint8_t* previous_end = nullptr;
    for (const TensorInfo& tensor : file->tensors()) {
      ASSERT_NE(tensor.data, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(tensor.data) % 32, 0u) << tensor.name;
      if (previous_end) {
        EXPECT_GE(tensor.data, previous_end) << tensor.name;
      }
      previous_end = tensor.data + tensor.bytes;
      EXPECT_EQ(file->find_tensor(tensor.name), &tensor);
    }
  }
}

TEST(GgufReader, TensorsMatchTheManifest) {
  HEARTH_REQUIRE_FIXTURES();
  const nlohmann::json manifest = load_manifest();
  size_t models = 0;
  for (const auto& [model, entry] : manifest.at("models").items()) {
    SCOPED_TRACE(model);
    std::unique_ptr<GgufFile> file = open_or_fail(test::fixture(entry.at("file").get<std::string>()));
    if (!file) continue;
    ++models;
    EXPECT_EQ(*file->get_string("general.architecture"), entry.at("arch").get<std::string>());
    EXPECT_EQ(file->file_size(), entry.at("size_bytes").get<uint64_t>());
    const nlohmann::json& tensors = entry.at("tensors");
    ASSERT_EQ(file->tensors().size(), tensors.size());
    for (const nlohmann::json& expected : tensors) {
      const std::string name = expected.at("name").get<std::string>();
      const TensorInfo* tensor = file->find_tensor(name);
      ASSERT_NE(tensor, nullptr) << name;
      EXPECT_EQ(type_info(tensor->type).name, expected.at("dtype").get<std::string>()) << name;
      const auto ne = expected.at("ne").get<std::vector<int64_t>>();
      ASSERT_EQ(tensor->n_dims, ne.size()) << name;
      for (size_t d = 0; d < 4; ++d) EXPECT_EQ(tensor->ne[d], d < ne.size() ? ne[d] : 1) << name << " dim " << d;
      EXPECT_EQ(tensor->bytes, static_cast<uint64_t>(tensor->elements()) * (tensor->type == TensorType::F32 ? 4 : 2));
    }
  }
  EXPECT_EQ(models, 7u);
}

TEST(GgufReader, QuantizedVariantsKeepTheTensorNames) {
  HEARTH_REQUIRE_FIXTURES();
  const nlohmann::json manifest = load_manifest();
  for (const auto& path : fixture_ggufs()) {
    const std::string stem = path.stem().string();
    const size_t dot = stem.find('.');
    if (dot == std::string::npos) continue;
    SCOPED_TRACE(path.string());
    const nlohmann::json& entry = manifest.at("models").at(stem.substr(0, dot));
    std::unique_ptr<GgufFile> file = open_or_fail(path);
    if (!file) continue;
    std::set<std::string> names;
    for (const TensorInfo& tensor : file->tensors()) names.insert(tensor.name);
    std::set<std::string> expected;
    for (const nlohmann::json& tensor : entry.at("tensors")) expected.insert(tensor.at("name").get<std::string>());
    EXPECT_EQ(names, expected);
    Result<uint64_t> quantization_version = file->get_uint("general.quantization_version");
    ASSERT_TRUE(quantization_version.ok()) << quantization_version.error();
    EXPECT_EQ(*quantization_version, 2u);
  }
}

TEST(GgufReader, GemmaDenseSpotChecks) {
  HEARTH_REQUIRE_FIXTURES();
  std::unique_ptr<GgufFile> file = open_or_fail(test::fixture("gemma4-dense-tiny.gguf"));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->tensors().size(), 102u);
  EXPECT_EQ(*file->get_string("general.architecture"), "gemma4");
  EXPECT_EQ(*file->get_uint("gemma4.block_count"), 6u);
  EXPECT_EQ(*file->get_int_array("gemma4.feed_forward_length"),
            (std::vector<int64_t>{512, 512, 512, 512, 1024, 1024}));
  EXPECT_DOUBLE_EQ(*file->get_float("gemma4.final_logit_softcapping"), 10.0);
  EXPECT_EQ(file->get_string_array("tokenizer.ggml.tokens")->size(), 1024u);
  EXPECT_EQ(file->get_float_array("tokenizer.ggml.scores").ok(), file->find("tokenizer.ggml.scores") != nullptr);

  const TensorInfo* embedding = file->find_tensor("token_embd.weight");
  ASSERT_NE(embedding, nullptr);
  EXPECT_EQ(embedding->type, TensorType::F16);
  EXPECT_EQ(embedding->ne[0], 256);
  EXPECT_EQ(embedding->ne[1], 1024);
  EXPECT_EQ(embedding->rows(), 1024);
  EXPECT_EQ(embedding->bytes_view().size(), 256u * 1024u * 2u);
  EXPECT_EQ(file->find_tensor("no.such.tensor"), nullptr);
}

TEST(GgufReader, TypedGettersNameKeyAndTypes) {
  HEARTH_REQUIRE_FIXTURES();
  std::unique_ptr<GgufFile> file = open_or_fail(test::fixture("gemma4-dense-tiny.gguf"));
  ASSERT_NE(file, nullptr);
  Result<std::string> wrong_type = file->get_string("gemma4.block_count");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().find("key 'gemma4.block_count': expected STRING but found UINT32"), std::string::npos)
      << wrong_type.error();
  Result<uint64_t> missing = file->get_uint("gemma4.nonexistent");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("key 'gemma4.nonexistent' not found"), std::string::npos);
  Result<double> not_float = file->get_float("general.architecture");
  ASSERT_FALSE(not_float.ok());
  EXPECT_NE(not_float.error().find("expected FLOAT32 or FLOAT64 but found STRING"), std::string::npos);
  Result<std::vector<double>> ints_as_floats = file->get_float_array("gemma4.feed_forward_length");
  ASSERT_FALSE(ints_as_floats.ok());
  EXPECT_NE(ints_as_floats.error().find("expected an array of floats, item 0"), std::string::npos)
      << ints_as_floats.error();
  Result<std::vector<std::string>> scalar_as_array = file->get_string_array("general.architecture");
  ASSERT_FALSE(scalar_as_array.ok());
  EXPECT_NE(scalar_as_array.error().find("expected an array of strings but found STRING"), std::string::npos);
}

TEST(GgufReader, VocabFilesHaveMetadataOnly) {
  HEARTH_REQUIRE_FIXTURES();
  for (const char* name : {"ggml-vocab-gemma-4.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<GgufFile> file = open_or_fail(test::fixture(std::string("vocab/") + name));
    if (!file) continue;
    EXPECT_TRUE(file->tensors().empty());
    Result<std::vector<std::string>> tokens = file->get_string_array("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens.ok()) << tokens.error();
    EXPECT_GT(tokens->size(), 100000u);
  }
}

}  // namespace
}  // namespace hearth::gguf
