// The model-running commands through the real binary: run (one-shot and scripted REPL), tokenize,
// perplexity and bench on the tiny Gemma 4 fixture, and their errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace hearth::test {
namespace {

using nlohmann::json;

ProcessResult hearth(std::vector<std::string> args, const std::string* input = nullptr) {
  args.insert(args.begin(), hearth_binary().string());
  return input ? run_process_with_input(args, *input) : run_process(args);
}

std::string model() { return fixture("gemma4-dense-tiny.gguf").string(); }

TEST(CliRun, OneShotGreedyIsReproducibleAndVerbosePrintsStats) {
  HEARTH_REQUIRE_FIXTURES();
  const ProcessResult first = hearth({"run", model(), "Why is the sky blue?", "--temperature", "0", "--num-predict", "8", "--verbose"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_FALSE(first.out.empty());
  for (const char* line : {"total duration:", "load duration:", "prompt eval count:", "prompt eval rate:", "eval count:", "eval rate:"}) {
    EXPECT_NE(first.err.find(line), std::string::npos) << line << "\n" << first.err;
  }
  EXPECT_NE(first.err.find("eval count:           8 token(s)"), std::string::npos) << first.err;
  const ProcessResult second = hearth({"run", model(), "Why is the sky blue?", "--temperature", "0", "--num-predict", "8"});
  EXPECT_EQ(second.out, first.out);
}

TEST(CliRun, SeededSamplingIsReproducible) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<std::string> args = {"run", model(), "Hello", "--seed", "7", "--temperature", "1.5", "--top-k", "50", "--num-predict", "12"};
  const ProcessResult a = hearth(args);
  const ProcessResult b = hearth(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(CliRun, PipedStdinIsThePrompt) {
  HEARTH_REQUIRE_FIXTURES();
  const std::string input = "Why is the sky blue?";
  const ProcessResult piped = hearth({"run", model(), "--temperature", "0", "--num-predict", "6"}, &input);
  const ProcessResult argument = hearth({"run", model(), input, "--temperature", "0", "--num-predict", "6"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, argument.out);
}

TEST(CliRun, ScriptedReplHandlesCommands) {
  HEARTH_REQUIRE_FIXTURES();
  const std::string script =
      "/set parameter temperature 0\n"
      "/set parameter num_predict 4\n"
      "/set parameter bogus 1\n"
      "/show info\n"
      "Hello\n"
      "\"\"\"first line\nsecond line\"\"\"\n"
      "/clear\n"
      "/set think\n"
      "/bye\n"
      "never sent\n";
  const ProcessResult result = hearth({"run", model(), "--interactive"}, &script);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Set parameter 'temperature' to '0'"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("unknown parameter 'bogus'"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("architecture"), std::string::npos);
  EXPECT_NE(result.out.find("gemma4"), std::string::npos);
  EXPECT_NE(result.out.find("Cleared session context"), std::string::npos);
  EXPECT_NE(result.out.find("Set 'think' mode."), std::string::npos);
}

TEST(CliRun, BadInputsAreClearErrors) {
  HEARTH_REQUIRE_FIXTURES();
  const ProcessResult missing = hearth({"run", "/nonexistent/model.gguf", "hi"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("hearth: error:"), std::string::npos) << missing.err;
  const ProcessResult think = hearth({"run", model(), "hi", "--think", "maybe"});
  EXPECT_EQ(think.exit_code, 1);
  const ProcessResult vocab_only = hearth({"run", fixture("vocab/ggml-vocab-gemma-4.gguf").string(), "hi"});
  EXPECT_EQ(vocab_only.exit_code, 1) << vocab_only.out;
}

TEST(CliRun, AttachesImagesAndAudioThroughTheProjector) {
  HEARTH_REQUIRE_FIXTURES();
  const ProcessResult result = hearth({"run", model(), "--mmproj", fixture("gemma4-mmproj-tiny.gguf").string(), "--image",
                                       fixture("test-1.jpeg").string(), "--audio", fixture("speech16k.wav").string(),
                                       "What is this?", "--num-predict", "3", "--verbose"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // 130 image + 34 audio soft tokens, their four markers and the text of the turn.
  const size_t at = result.err.find("prompt eval count:");
  ASSERT_NE(at, std::string::npos) << result.err;
  EXPECT_GT(std::stoi(result.err.substr(at + 18)), 130 + 34 + 4);
  const ProcessResult no_projector = hearth({"run", model(), "--image", fixture("test-1.jpeg").string(), "hi"});
  EXPECT_EQ(no_projector.exit_code, 1);
  EXPECT_NE(no_projector.err.find("projector"), std::string::npos) << no_projector.err;
  const ProcessResult wrong_kind = hearth({"run", model(), "--image", fixture("speech16k.wav").string(), "hi"});
  EXPECT_EQ(wrong_kind.exit_code, 1);
}

// Paths typed in the chat attach their files (cli/prompt_paths.h); the image budget is a session parameter.
TEST(CliRun, ReplAttachesTypedPathsAndTakesTheImageBudget) {
  HEARTH_REQUIRE_FIXTURES();
  TempDir dir("repl_paths");
  std::filesystem::copy_file(fixture("test-1.jpeg"), dir / "my photo.jpg");
  std::ofstream(dir / "fake.png") << "not a picture";
  const std::string escaped = (dir / "my\\ photo.jpg").string();
  const std::string script =
      "/set parameter num_predict 1\n"
      "/set parameter image_max_tokens 100\n"
      "/set parameter image_max_tokens 70\n"
      "What is in " + escaped + "?\n"
      "Is " + (dir / "fake.png").string() + " a picture?\n"
      "And " + (dir / "missing.png").string() + "?\n"
      "/bye\n";
  const ProcessResult result =
      hearth({"run", model(), "--mmproj", fixture("gemma4-mmproj-tiny.gguf").string(), "--interactive", "--verbose"}, &script);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("parameter image_max_tokens must be one of 70, 140, 280, 560, 1120"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Added image '" + (dir / "my photo.jpg").string() + "'"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("fake.png: not an image"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("missing.png'"), std::string::npos) << result.out;
  // Two replies: the image turn (63 soft tokens under the budget of 70, not 130), then the missing-file one.
  const size_t first = result.err.find("prompt eval count:");
  ASSERT_NE(first, std::string::npos) << result.err;
  const int image_turn = std::stoi(result.err.substr(first + 18));
  EXPECT_GT(image_turn, 63);
  EXPECT_LT(image_turn, 130);
  EXPECT_NE(result.err.find("prompt eval count:", first + 1), std::string::npos) << result.err;
}

TEST(CliTokenize, MatchesTheVocabularyAndParsesSpecialTokensOnRequest) {
  HEARTH_REQUIRE_FIXTURES();
  const ProcessResult plain = hearth({"tokenize", model(), "--text", "Hello <|turn>", "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const json tokens = json::parse(plain.out);
  EXPECT_EQ(tokens["tokens"][0], 2);  // BOS
  EXPECT_EQ(tokens["count"], tokens["tokens"].size());
  const ProcessResult special = hearth({"tokenize", model(), "--text", "Hello <|turn>", "--json", "--parse-special", "--no-bos"});
  ASSERT_EQ(special.exit_code, 0) << special.err;
  const json parsed = json::parse(special.out);
  EXPECT_NE(parsed["tokens"][0], 2);
  EXPECT_EQ(parsed["pieces"].back(), "<|turn>");  // one token, not its characters
  EXPECT_LT(parsed["count"].get<int>(), tokens["count"].get<int>() - 1);
  const std::string input = "Hello <|turn>";
  const ProcessResult piped = hearth({"tokenize", model(), "--json"}, &input);
  EXPECT_EQ(json::parse(piped.out)["tokens"], tokens["tokens"]);
}

TEST(CliPerplexity, ScoresTheSecondHalfOfEachChunk) {
  HEARTH_REQUIRE_FIXTURES();
  TempDir dir("ppl");
  const auto text_path = dir.path() / "text.txt";
  std::ofstream(text_path) << std::string(40, 'x') + " the quick brown fox jumps over the lazy dog and keeps running far away";
  const ProcessResult result = hearth({"perplexity", model(), "--file", text_path.string(), "--ctx", "16", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json out = json::parse(result.out);
  const int chunks = out["n_chunks"];
  EXPECT_GE(chunks, 1);
  EXPECT_EQ(out["n_scored"], chunks * 7);  // positions 8..14 of each 16-token chunk
  EXPECT_GT(out["perplexity"].get<double>(), 1.0);
  const ProcessResult too_short = hearth({"perplexity", model(), "--file", text_path.string(), "--ctx", "4096"});
  EXPECT_EQ(too_short.exit_code, 1);
  EXPECT_NE(too_short.err.find("needs at least"), std::string::npos);
}

TEST(CliBench, ReportsThroughputRssAndBandwidth) {
  HEARTH_REQUIRE_FIXTURES();
  const ProcessResult result = hearth({"bench", model(), "-p", "16", "-n", "4", "-r", "2", "--json", "-t", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json out = json::parse(result.out);
  EXPECT_EQ(out["pp"]["n_tokens"], 16);
  EXPECT_EQ(out["tg"]["n_tokens"], 4);
  EXPECT_EQ(out["pp"]["samples"].size(), 2u);
  EXPECT_GT(out["pp"]["tokens_per_s"].get<double>(), 0.0);
  EXPECT_GT(out["tg"]["tokens_per_s"].get<double>(), 0.0);
  EXPECT_GT(out["peak_rss_bytes"].get<double>(), 1e6);
  EXPECT_GT(out["bandwidth_fraction"].get<double>(), 0.0);
  EXPECT_EQ(out["threads"], 1);
}

}  // namespace
}  // namespace hearth::test
