// The demo model that ships in models/ is the model PyTorch trained: `hearth perplexity` on the held-out
// Brown corpus text is within 0.5% of PyTorch's figure, and greedy `hearth run` reproduces PyTorch's greedy
// continuations token for token (models/hearth-demo-reference.json, written by
// tools/demo-model/make_reference.py).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/run_process.h"

namespace hearth::test {
namespace {

using nlohmann::json;

constexpr double kPerplexityTolerance = 0.005;

// models/ sits beside tests/ at the repository root.
std::filesystem::path models_dir() { return std::filesystem::path(HEARTH_TEST_DATA_DIR).parent_path().parent_path() / "models"; }

json reference() {
  std::ifstream in(models_dir() / "hearth-demo-reference.json");
  return json::parse(in);
}

ProcessResult hearth(std::vector<std::string> args) {
  args.insert(args.begin(), hearth_binary().string());
  return run_process(args);
}

// The first held-out document: the whole held-out text takes too long for a unit test (its figures are in
// the reference and the model card).
void expect_perplexity_matches_pytorch(const std::string& model) {
  const json ref = reference();
  const json& text = ref["heldout_head"];
  const ProcessResult result = hearth({"perplexity", (models_dir() / model).string(), "--file",
                                       (models_dir() / text["file"].get<std::string>()).string(), "--ctx",
                                       std::to_string(ref["ctx"].get<int>()), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json measured = json::parse(result.out);
  const json& pytorch = text["pytorch"];
  EXPECT_EQ(measured["n_chunks"], pytorch["n_chunks"]);
  EXPECT_EQ(measured["n_scored"], pytorch["n_scored"]);
  const double expected = pytorch["perplexity"].get<double>();
  EXPECT_NEAR(measured["perplexity"].get<double>(), expected, expected * kPerplexityTolerance);
}

TEST(DemoModel, F16PerplexityMatchesPyTorch) { expect_perplexity_matches_pytorch("hearth-demo-f16.gguf"); }

TEST(DemoModel, Q8_0PerplexityMatchesPyTorch) { expect_perplexity_matches_pytorch("hearth-demo-q8_0.gguf"); }

TEST(DemoModel, GreedyRunReproducesPyTorchsContinuations) {
  const json ref = reference();
  const std::string model = (models_dir() / "hearth-demo-f16.gguf").string();
  for (const json& continuation : ref["continuations"]) {
    const ProcessResult result = hearth({"run", model, continuation["prompt"].get<std::string>(), "--temperature", "0",
                                         "--num-predict", std::to_string(continuation["num_predict"].get<int>())});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // `hearth run` ends a reply with a newline and, after a non-empty one, a blank line.
    const std::string text = continuation["text"].get<std::string>();
    EXPECT_EQ(result.out, text.empty() ? "\n" : text + "\n\n") << continuation["prompt"];
  }
}

}  // namespace
}  // namespace hearth::test
