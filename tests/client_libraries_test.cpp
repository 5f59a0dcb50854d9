// The official `ollama` and `openai` JavaScript clients against a real `hearth serve` (tests/npm/clients.mjs).
// Skips when Node.js or the npm packages are missing (scripts/test.sh installs them).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/run_process.h"
#include "support/server_process.h"

namespace hearth::test {
namespace {

std::filesystem::path npm_dir() { return std::filesystem::path(HEARTH_TEST_DATA_DIR).parent_path() / "npm"; }

TEST(ClientLibraries, OllamaAndOpenAiJavaScriptClients) {
  HEARTH_REQUIRE_FIXTURES();
  if (run_process({"node", "--version"}).exit_code != 0) GTEST_SKIP() << "node is not installed";
  if (!std::filesystem::exists(npm_dir() / "node_modules" / "openai") || !std::filesystem::exists(npm_dir() / "node_modules" / "ollama")) {
    GTEST_SKIP() << "npm packages missing: run `npm ci` in " << npm_dir();
  }
  ServerProcess server;
  const ProcessResult result =
      run_process({"node", (npm_dir() / "clients.mjs").string(), server.url(), fixture("gemma4-dense-tiny.gguf").string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("all checks passed"), std::string::npos) << result.out << result.err;
}

}  // namespace
}  // namespace hearth::test
