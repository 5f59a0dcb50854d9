// Runs the real `hearth quantize` binary: output verified and byte-identical to llama.cpp's, failures leave
// the destination alone.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quantize/checksum.h"
#include "quantize/verify.h"
#include "support/fixtures.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace hearth::test {
namespace {

ProcessResult hearth(std::vector<std::string> args) {
  args.insert(args.begin(), hearth_binary().string());
  return run_process(args);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t files_in(const std::filesystem::path& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
}

TEST(QuantizeCli, OutputIsVerifiedShowableAndMatchesLlamaCppByteForByte) {
  HEARTH_REQUIRE_FIXTURES();
  TempDir dir("quantize_cli");
  const std::filesystem::path out = dir / "model.Q4_K_M.gguf";
  const ProcessResult run = hearth({"quantize", fixture("gemma4-dense-tiny.gguf").string(), out.string(), "q4_k_m", "-t", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("verified"), std::string::npos);
  EXPECT_EQ(files_in(dir.path()), 1u) << "no temporary file is left behind";

  const ProcessResult shown = hearth({"show", out.string(), "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const nlohmann::json document = nlohmann::json::parse(shown.out);
  EXPECT_EQ(document["file_type"], "Q4_K_M");
  EXPECT_EQ(document["metadata"]["general.quantization_version"], 2);

  auto ours = gguf::GgufFile::open(out);
  auto reference = gguf::GgufFile::open(fixture("gemma4-dense-tiny.Q4_K_M.gguf"));
  ASSERT_TRUE(ours.ok() && reference.ok());
  ASSERT_EQ((*ours)->tensors().size(), (*reference)->tensors().size());
  for (const gguf::TensorInfo& tensor : (*ours)->tensors()) {
    const gguf::TensorInfo* expected = (*reference)->find_tensor(tensor.name);
    ASSERT_NE(expected, nullptr) << tensor.name;
    EXPECT_EQ(tensor.type, expected->type) << tensor.name;
    EXPECT_TRUE(std::equal(tensor.bytes_view().begin(), tensor.bytes_view().end(), expected->bytes_view().begin(),
                           expected->bytes_view().end()))
        << tensor.name;
  }
}

TEST(QuantizeCli, PureAndRequantize) {
  HEARTH_REQUIRE_FIXTURES();
  TempDir dir("quantize_cli_pure");
  const ProcessResult pure = hearth({"quantize", fixture("gemma4-dense-tiny.gguf").string(), (dir / "pure.gguf").string(), "Q4_0", "--pure"});
  ASSERT_EQ(pure.exit_code, 0) << pure.err;
  auto file = gguf::GgufFile::open(dir / "pure.gguf");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->find_tensor("token_embd.weight")->type, TensorType::Q4_0);

  const ProcessResult again = hearth({"quantize", (dir / "pure.gguf").string(), (dir / "q8.gguf").string(), "Q8_0"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("hearth: warning:"), std::string::npos) << "requantizing warns";
}

TEST(QuantizeCli, FailuresLeaveTheOutputUntouched) {
  TempDir dir("quantize_cli_fail");
  const std::filesystem::path out = dir / "out.gguf";
  std::ofstream(out) << "previous contents";
  std::ofstream(dir / "broken.gguf") << "GGUF but not really";

  const std::vector<std::vector<std::string>> failing = {
      {"quantize", (dir / "broken.gguf").string(), out.string(), "Q4_K_M"},
      {"quantize", (dir / "missing.gguf").string(), out.string(), "Q4_K_M"},
      {"quantize", (dir / "broken.gguf").string(), out.string(), "Q3_K_XL"},
  };
  for (const auto& args : failing) {
    const ProcessResult run = hearth(args);
    EXPECT_EQ(run.exit_code, 1) << args[1];
    EXPECT_TRUE(run.err.starts_with("hearth: error: ")) << run.err;
    EXPECT_EQ(read_text(out), "previous contents");
    EXPECT_EQ(files_in(dir.path()), 2u) << "no temporary file is left behind";
  }
  if (fixtures_available()) {
    const ProcessResult no_dir = hearth({"quantize", fixture("qwen35-tiny.gguf").string(), (dir / "no/such/dir.gguf").string(), "Q8_0"});
    EXPECT_EQ(no_dir.exit_code, 1);
  }
}

// The read-back check catches a tensor whose stored bytes differ from what was produced.
TEST(QuantizeVerify, DetectsChangedData) {
  TempDir dir("quantize_verify");
  gguf::GgufWriter writer;
  writer.set("general.file_type", gguf::Value::u32(7));
  writer.set("general.quantization_version", gguf::Value::u32(2));
  const std::vector<uint8_t> data(34 * 2, 3);
  ASSERT_TRUE(writer.add_tensor("w", TensorType::Q8_0, {32, 2}, data).ok());
  ASSERT_TRUE(writer.write(dir / "f.gguf").ok());

  quantize::ExpectedTensor expected{"w", TensorType::Q8_0, 2, {32, 2, 1, 1}, data.size(), quantize::content_checksum(data)};
  EXPECT_TRUE(quantize::verify_written_file(dir / "f.gguf", {&expected, 1}, 7).ok());
  EXPECT_FALSE(quantize::verify_written_file(dir / "f.gguf", {&expected, 1}, 15).ok());
  expected.checksum ^= 1;
  const Status changed = quantize::verify_written_file(dir / "f.gguf", {&expected, 1}, 7);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().find("differs"), std::string::npos);
  expected.checksum ^= 1;
  expected.type = TensorType::Q4_0;
  EXPECT_FALSE(quantize::verify_written_file(dir / "f.gguf", {&expected, 1}, 7).ok());
}

}  // namespace
}  // namespace hearth::test
