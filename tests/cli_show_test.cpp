// Runs the real `hearth show` binary on every fixture and on broken files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/fixtures.h"
#include "support/gguf_bytes.h"
#include "support/run_process.h"
#include "support/temp_dir.h"
#include "tensor/fp16.h"

namespace hearth::test {
namespace {

using nlohmann::json;

ProcessResult show(std::vector<std::string> args) {
  args.insert(args.begin(), {hearth_binary().string(), "show"});
  return run_process(args);
}

std::vector<std::filesystem::path> all_fixture_models() {
  std::vector<std::filesystem::path> models;
  for (const auto& folder : {fixtures_dir(), fixtures_dir() / "vocab"}) {
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().extension() == ".gguf") models.push_back(entry.path());
    }
  }
  std::sort(models.begin(), models.end());
  return models;
}

json show_json(const std::filesystem::path& model, std::vector<std::string> extra = {}) {
  extra.insert(extra.begin(), {model.string(), "--json"});
  const ProcessResult result = show(extra);
  EXPECT_EQ(result.exit_code, 0) << model << ": " << result.err;
  EXPECT_EQ(result.err, "") << model;
  return json::parse(result.out);
}

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_one_line_error(const ProcessResult& result, const std::string& what) {
  EXPECT_EQ(result.exit_code, 1) << what << "\nstderr: " << result.err;
  EXPECT_TRUE(result.err.starts_with("hearth: error: ")) << what << "\nstderr: " << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << what << "\nstderr: " << result.err;
  EXPECT_TRUE(result.err.ends_with("\n")) << what;
  EXPECT_EQ(result.out, "") << what;
}

TEST(CliShow, EveryFixtureShowsAsTextAndJson) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<std::filesystem::path> models = all_fixture_models();
  ASSERT_GE(models.size(), 21u);
  for (const std::filesystem::path& model : models) {
    const ProcessResult text = show({model.string()});
    EXPECT_EQ(text.exit_code, 0) << model << ": " << text.err;
    EXPECT_NE(text.out.find("architecture"), std::string::npos) << model;

    const json document = show_json(model, {"--tensors"});
    for (const char* key : {"architecture", "parameters", "file_type", "context_length", "embedding_length",
                            "capabilities", "metadata", "tensors", "type_mix", "projector"}) {
      EXPECT_TRUE(document.contains(key)) << model << " lacks " << key;
    }
    auto file = gguf::GgufFile::open(model);
    ASSERT_TRUE(file.ok()) << file.error();
    EXPECT_EQ(document["tensors"].size(), (*file)->tensors().size()) << model;
    EXPECT_EQ(document["metadata"].size(), (*file)->metadata().size()) << model;
    EXPECT_FALSE(show_json(model).contains("tensors")) << "tensors appear only with --tensors";
  }
}

TEST(CliShow, DenseModelSummary) {
  HEARTH_REQUIRE_FIXTURES();
  const json document = show_json(fixture("gemma4-dense-tiny.Q4_K_M.gguf"));
  EXPECT_EQ(document["architecture"], "gemma4");
  EXPECT_EQ(document["file_type"], "Q4_K_M");
  EXPECT_EQ(document["file_type_guessed"], false);
  EXPECT_EQ(document["context_length"], 131072);
  EXPECT_EQ(document["embedding_length"], 256);
  EXPECT_EQ(document["capabilities"], json::array({"completion"}));
  EXPECT_EQ(document["parameters"], "7.48M");
  // Long arrays are summarised, short ones kept.
  EXPECT_EQ(document["metadata"]["tokenizer.ggml.tokens"]["length"], 1024);
  EXPECT_EQ(document["metadata"]["gemma4.feed_forward_length"], json::array({512, 512, 512, 512, 1024, 1024}));
  uint64_t tensors = 0;
  for (const json& usage : document["type_mix"]) tensors += usage["tensors"].get<uint64_t>();
  EXPECT_EQ(tensors, 102u);
  EXPECT_EQ(document["type_mix"][0]["type"], "Q4_K");

  const json verbose = show_json(fixture("gemma4-dense-tiny.Q4_K_M.gguf"), {"--verbose"});
  EXPECT_EQ(verbose["metadata"]["tokenizer.ggml.tokens"].size(), 1024u);
}

TEST(CliShow, ProjectorAndTemplateCapabilities) {
  HEARTH_REQUIRE_FIXTURES();
  const json mmproj = show_json(fixture("gemma4-mmproj-tiny.gguf"));
  EXPECT_EQ(mmproj["capabilities"], json::array({"vision", "audio"}));
  ASSERT_EQ(mmproj["projector"].size(), 2u);
  EXPECT_EQ(mmproj["projector"][0]["projector_type"], "gemma4v");
  EXPECT_EQ(mmproj["projector"][0]["image_size"], 224);
  EXPECT_EQ(mmproj["projector"][0]["patch_size"], 16);
  EXPECT_EQ(mmproj["projector"][0]["block_count"], 2);
  EXPECT_EQ(mmproj["projector"][1]["projector_type"], "gemma4a");
  EXPECT_EQ(mmproj["projector"][1]["projection_dim"], 256);

  EXPECT_EQ(show_json(fixture("vocab/ggml-vocab-gemma-4.gguf"))["capabilities"],
            json::array({"completion", "tools", "thinking"}));
  EXPECT_EQ(show_json(fixture("vocab/ggml-vocab-llama-bpe.gguf"))["capabilities"], json::array({"completion"}));
}

// Decodes the first values straight from the mapped bytes, independently of the tensor code.
std::vector<float> first_f16_values(const gguf::TensorInfo& tensor, size_t count) {
  std::vector<float> values;
  for (size_t i = 0; i < count; ++i) {
    uint16_t half;
    std::memcpy(&half, tensor.data + 2 * i, 2);
    values.push_back(fp16_to_f32(half));
  }
  return values;
}

std::vector<float> first_q8_0_values(const gguf::TensorInfo& tensor, size_t count) {
  uint16_t scale_bits;
  std::memcpy(&scale_bits, tensor.data, 2);
  const float scale = fp16_to_f32(scale_bits);
  std::vector<float> values;
  for (size_t i = 0; i < count; ++i) values.push_back(scale * static_cast<float>(static_cast<int8_t>(tensor.data[2 + i])));
  return values;
}

TEST(CliShow, TensorValuesMatchAnIndependentDecode) {
  HEARTH_REQUIRE_FIXTURES();
  struct Case {
    std::string model;
    std::string tensor;
    std::vector<float> (*decode)(const gguf::TensorInfo&, size_t);
  };
  for (const Case& c : {Case{"gemma4-dense-tiny.gguf", "blk.0.attn_q.weight", first_f16_values},
                        Case{"gemma4-dense-tiny.Q8_0.gguf", "blk.1.ffn_up.weight", first_q8_0_values}}) {
    auto file = gguf::GgufFile::open(fixture(c.model));
    ASSERT_TRUE(file.ok()) << file.error();
    const std::vector<float> expected = c.decode(*(*file)->find_tensor(c.tensor), 4);

    const json values = show_json(fixture(c.model), {"--tensor", c.tensor, "--values", "4"});
    ASSERT_EQ(values.size(), 4u) << c.model;
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(values[i].get<float>(), expected[i]) << c.model << " value " << i;

    const ProcessResult text = show({fixture(c.model).string(), "--tensor", c.tensor, "--values", "4"});
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 4);
  }
  // A request beyond the tensor's end prints what there is.
  EXPECT_EQ(show_json(fixture("gemma4-dense-tiny.gguf"), {"--tensor", "output_norm.weight", "--values", "100000"}).size(),
            256u);
}

TEST(CliShow, TensorErrors) {
  TempDir dir("cli_show");
  gguf::GgufWriter writer;
  writer.set("general.architecture", gguf::Value::string("test"));
  ASSERT_TRUE(writer.add_tensor("grid", TensorType::IQ2_XXS, {256}, std::vector<uint8_t>(66, 0)).ok());
  ASSERT_TRUE(writer.write(dir / "iq2.gguf").ok());

  expect_one_line_error(show({(dir / "iq2.gguf").string(), "--tensor", "grid", "--values", "4"}), "IQ2_XXS values");
  const ProcessResult unsupported = show({(dir / "iq2.gguf").string(), "--tensor", "grid", "--values", "4", "--json"});
  EXPECT_EQ(unsupported.err, "hearth: error: tensor 'grid': unsupported tensor type IQ2_XXS\n");
  expect_one_line_error(show({(dir / "iq2.gguf").string(), "--tensor", "missing"}), "missing tensor");
  EXPECT_EQ(show({(dir / "iq2.gguf").string()}).exit_code, 0) << "the summary does not need to decode anything";
}

TEST(CliShow, BrokenFilesGiveOneErrorLine) {
  TempDir dir("cli_show_broken");
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  files.emplace_back("empty.gguf", std::vector<uint8_t>{});
  std::mt19937 random(7);
  std::vector<uint8_t> garbage(4096);
  for (uint8_t& byte : garbage) byte = static_cast<uint8_t>(random());
  files.emplace_back("garbage.gguf", garbage);
  std::vector<uint8_t> magic_then_garbage = garbage;
  std::memcpy(magic_then_garbage.data(), "GGUF", 4);
  files.emplace_back("magic_garbage.gguf", magic_then_garbage);
  files.emplace_back("huge_array.gguf", GgufBytes().header(0, 1).kv_array("big", GgufBytes::kUint8, 1ull << 40).u8(1).bytes());
  files.emplace_back("huge_string.gguf", GgufBytes().header(0, 1).str("s").u32(GgufBytes::kString).u64(1ull << 62).bytes());
  if (fixtures_available()) {
    const std::vector<uint8_t> model = read_file(fixture("gemma4-dense-tiny.Q4_K_M.gguf"));
    for (size_t cut : {size_t{3}, size_t{10}, size_t{24}, size_t{100}, size_t{5000}, model.size() / 2, model.size() - 1}) {
      files.emplace_back("cut_" + std::to_string(cut) + ".gguf", std::vector<uint8_t>(model.begin(), model.begin() + cut));
    }
  }
  for (const auto& [name, bytes] : files) {
    write_file(dir / name, bytes);
    expect_one_line_error(show({(dir / name).string()}), name);
    expect_one_line_error(show({(dir / name).string(), "--json", "--tensors"}), name + " --json");
  }
  expect_one_line_error(show({dir.path().string()}), "a directory");
  expect_one_line_error(show({(dir / "does-not-exist.gguf").string()}), "a missing file");
}

}  // namespace
}  // namespace hearth::test
