// The official `ollama` and `openai` JavaScript clients against a real `hearth serve` (tests/npm/clients.mjs),
// with a stored model that has the audio projector for the transcription calls.
// Skips when Node.js or the npm packages are missing (scripts/test.sh installs them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "support/run_process.h"
#include "support/server_process.h"
#include "support/templated_model.h"

namespace hearth::test {
namespace {

std::filesystem::path npm_dir() { return std::filesystem::path(HEARTH_TEST_DATA_DIR).parent_path() / "npm"; }

std::string sha256_digest(const std::string& bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) out += {hex[hash[i] >> 4], hex[hash[i] & 15]};
  return out;
}

// Stores the tiny model with its projector as `name` (the audio routes need the audio tower).
void create_audio_model(const ServerProcess& server, const std::string& name) {
  httplib::Client client = server.client();
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [file, fixture_name] : {std::pair{"model.gguf", "gemma4-dense-tiny.gguf"}, std::pair{"mmproj.gguf", "gemma4-mmproj-tiny.gguf"}}) {
    std::ifstream in(fixture(fixture_name), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string digest = sha256_digest(bytes);
    auto uploaded = client.Post(("/api/blobs/" + digest).c_str(), bytes, "application/octet-stream");
    ASSERT_TRUE(uploaded && uploaded->status == 201);
    files[file] = digest;
  }
  auto created = client.Post("/api/create", nlohmann::json{{"model", name}, {"stream", false}, {"files", files}}.dump(), "application/json");
  ASSERT_TRUE(created && created->status == 200);
}

TEST(ClientLibraries, OllamaAndOpenAiJavaScriptClients) {
  HEARTH_REQUIRE_FIXTURES();
  if (run_process({"node", "--version"}).exit_code != 0) GTEST_SKIP() << "node is not installed";
  if (!std::filesystem::exists(npm_dir() / "node_modules" / "openai") || !std::filesystem::exists(npm_dir() / "node_modules" / "ollama")) {
    GTEST_SKIP() << "npm packages missing: run `npm ci` in " << npm_dir();
  }
  ServerProcess server;
  create_audio_model(server, "tiny-audio");
  const std::filesystem::path chat_model = server.stores() / "gemma4-tiny-chat.gguf";
  write_with_gemma4_template(fixture("gemma4-dense-tiny.gguf"), chat_model);
  const ProcessResult result = run_process({"node", (npm_dir() / "clients.mjs").string(), server.url(), fixture("gemma4-dense-tiny.gguf").string(),
                                            "tiny-audio", fixture("speech16k.wav").string(), chat_model.string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("all checks passed"), std::string::npos) << result.out << result.err;
}

}  // namespace
}  // namespace hearth::test
