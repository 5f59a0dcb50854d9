// The store commands and `hearth run NAME` with a `hearth serve` running: a model created on disk is run by
// the server (it shows in `hearth ps`), stopped, and removed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/run_process.h"
#include "support/server_process.h"

namespace hearth::test {
namespace {

ProcessResult hearth(std::vector<std::string> args) {
  args.insert(args.begin(), hearth_binary().string());
  return run_process(args);
}

TEST(CliWithServer, RunPsStopAndRemoveGoThroughTheServer) {
  HEARTH_REQUIRE_FIXTURES();
  ServerProcess server;
  // The CLI finds the server through HEARTH_HOST and shares its store.
  setenv("HEARTH_HOST", ("127.0.0.1:" + std::to_string(server.port())).c_str(), 1);
  setenv("HEARTH_MODELS", (server.stores() / "hearth").c_str(), 1);
  setenv("OLLAMA_MODELS", (server.stores() / "ollama").c_str(), 1);
  const std::filesystem::path modelfile = server.stores() / "Modelfile";
  std::ofstream(modelfile) << "FROM " << fixture("gemma4-dense-tiny.gguf").string() << "\nPARAMETER temperature 0\n";

  const ProcessResult created = hearth({"create", "tiny", "-f", modelfile.string()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(hearth({"list"}).out.find("tiny"), std::string::npos);
  EXPECT_EQ(hearth({"ps"}).out.find("tiny"), std::string::npos);

  const ProcessResult first = hearth({"run", "tiny", "Hello there", "--num-predict", "4"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_FALSE(first.out.empty());
  const ProcessResult second = hearth({"run", "tiny", "Hello there", "--num-predict", "4"});
  EXPECT_EQ(second.out, first.out);  // the model's PARAMETER temperature 0 applies
  EXPECT_NE(hearth({"ps"}).out.find("tiny"), std::string::npos) << "the server ran it";

  const ProcessResult stopped = hearth({"stop", "tiny"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(hearth({"ps"}).out.find("tiny"), std::string::npos);
  EXPECT_EQ(hearth({"rm", "tiny"}).exit_code, 0);
  EXPECT_EQ(hearth({"list"}).out.find("tiny"), std::string::npos);
  const ProcessResult missing = hearth({"run", "tiny", "Hello"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;

  for (const char* name : {"HEARTH_HOST", "HEARTH_MODELS", "OLLAMA_MODELS"}) unsetenv(name);
}

}  // namespace
}  // namespace hearth::test
