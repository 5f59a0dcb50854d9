// `pull` against a registry served on loopback inside the test: manifest then blobs, resuming with Range,
// digest verification, hostile servers, and plain GGUF URLs.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "gguf/gguf_writer.h"
#include "store/digest.h"
#include "store/download.h"
#include "store/http_client.h"
#include "store/model_store.h"
#include "store/pull.h"
#include "support/temp_dir.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string tiny_gguf(const fs::path& scratch) {
  gguf::GgufWriter writer;
  writer.set("general.architecture", gguf::Value::string("gemma4"));
  // Enough bytes that the download spans many reads.
  std::vector<uint8_t> bytes(256 * 1024 * sizeof(float));
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  EXPECT_TRUE(writer.add_tensor("weight", TensorType::F32, {256 * 1024}, bytes).ok());
  const fs::path path = scratch / "tiny.gguf";
  EXPECT_TRUE(writer.write(path).ok());
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A minimal Ollama-style registry on 127.0.0.1 with a random port.
class LoopbackRegistry {
 public:
  LoopbackRegistry() {
    server_.Get(R"(/v2/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]+)/manifests/([A-Za-z0-9_.-]+))",
                [this](const httplib::Request& request, httplib::Response& response) {
                  std::lock_guard lock(mutex_);
                  accept_headers_.push_back(request.get_header_value("Accept"));
                  const auto found = manifests_.find(request.matches[1].str() + "/" + request.matches[2].str() + ":" +
                                                     request.matches[3].str());
                  if (found == manifests_.end()) {
                    response.status = 404;
                    response.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})", "application/json");
                    return;
                  }
                  response.set_content(found->second, "application/vnd.docker.distribution.manifest.v2+json");
                });
    server_.Get(R"(/v2/[^/]+/[^/]+/blobs/(sha256:[0-9a-f]{64}))",
                [this](const httplib::Request& request, httplib::Response& response) {
                  std::lock_guard lock(mutex_);
                  ++blob_requests_;
                  ranges_.push_back(request.get_header_value("Range"));
                  const auto found = served_.find(request.matches[1].str());
                  if (found == served_.end()) {
                    response.status = 404;
                    return;
                  }
                  response.set_content(found->second, "application/octet-stream");
                });
    server_.Get(R"(/files/(.+))", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      ranges_.push_back(request.get_header_value("Range"));
      const auto found = files_.find(request.matches[1].str());
      if (found == files_.end()) {
        response.status = 404;
        return;
      }
      response.set_content(found->second, "application/octet-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LoopbackRegistry() {
    server_.stop();
    thread_.join();
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  // Publishes a model; returns its manifest. The blob store serves exactly what `served` says.
  std::string publish(const std::string& repository_tag, const std::vector<std::pair<std::string, std::string>>& layers) {
    const std::string config = R"({"model_format":"gguf","model_family":"gemma4"})";
    json manifest_layers = json::array();
    std::lock_guard lock(mutex_);
    for (const auto& [media, bytes] : layers) {
      const std::string digest = sha256_of(bytes);
      served_[digest] = bytes;
      manifest_layers.push_back({{"mediaType", media}, {"digest", digest}, {"size", bytes.size()}});
    }
    served_[sha256_of(config)] = config;
    const json manifest = {{"schemaVersion", 2},
                           {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                           {"config", {{"mediaType", "application/vnd.docker.container.image.v1+json"},
                                       {"digest", sha256_of(config)}, {"size", config.size()}}},
                           {"layers", manifest_layers}};
    manifests_[repository_tag] = manifest.dump();
    return manifest.dump();
  }
  void serve_instead(const std::string& digest, std::string bytes) {
    std::lock_guard lock(mutex_);
    served_[digest] = std::move(bytes);
  }
  void add_file(const std::string& name, std::string bytes) {
    std::lock_guard lock(mutex_);
    files_[name] = std::move(bytes);
  }
  std::vector<std::string> ranges() {
    std::lock_guard lock(mutex_);
    return ranges_;
  }
  int blob_requests() {
    std::lock_guard lock(mutex_);
    return blob_requests_;
  }
  std::vector<std::string> accept_headers() {
    std::lock_guard lock(mutex_);
    return accept_headers_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, std::string> manifests_;
  std::map<std::string, std::string> served_;
  std::map<std::string, std::string> files_;
  std::vector<std::string> ranges_;
  std::vector<std::string> accept_headers_;
  int blob_requests_ = 0;
};

class PullTest : public ::testing::Test {
 protected:
  PullTest() : dir_("pull"), store_(StoreConfig{dir_ / "hearth", std::nullopt}) {
    model_ = tiny_gguf(dir_.path());
    manifest_ = registry_.publish("library/tiny:latest", {{"application/vnd.ollama.image.model", model_},
                                                           {"application/vnd.ollama.image.template", "{{ .Prompt }}"},
                                                           {"application/vnd.ollama.image.params",
                                                            R"({"temperature":0.3,"stop":["<e>"]})"}});
  }

  Result<std::string> pull_name(const std::string& name, std::vector<Progress>* steps = nullptr) {
    PullOptions options;
    options.progress = [steps](const Progress& step) {
      if (steps != nullptr) steps->push_back(step);
      return true;
    };
    return pull(store_, name, options);
  }

  fs::path blob(const std::string& bytes) const { return dir_ / "hearth" / "blobs" / digest_file_name(sha256_of(bytes)); }

  test::TempDir dir_;
  LoopbackRegistry registry_;
  ModelStore store_;
  std::string model_;
  std::string manifest_;
};

TEST_F(PullTest, PullsManifestAndBlobsWithOllamaProgress) {
  std::vector<Progress> steps;
  Result<std::string> pulled = pull_name(registry_.host() + "/library/tiny", &steps);
  ASSERT_TRUE(pulled.ok()) << pulled.error();
  EXPECT_EQ(*pulled, registry_.host() + "/library/tiny:latest");
  EXPECT_EQ(registry_.accept_headers(), std::vector<std::string>{"application/vnd.docker.distribution.manifest.v2+json"});

  Result<ResolvedModel> resolved = store_.resolve(*pulled);
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  std::ifstream in(resolved->model_path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), model_);
  EXPECT_EQ(resolved->template_text, "{{ .Prompt }}");
  EXPECT_EQ(resolved->parameters, json::parse(R"({"temperature":0.3,"stop":["<e>"]})"));
  EXPECT_EQ(resolved->digest, sha256_of(manifest_));  // the manifest is stored byte for byte

  ASSERT_GE(steps.size(), 5u);
  EXPECT_EQ(steps.front().status, "pulling manifest");
  const std::string model_digest = sha256_of(model_);
  bool saw_model_done = false;
  for (const Progress& step : steps) {
    if (step.digest == model_digest && step.status == "pulling " + model_digest.substr(7, 12)) {
      EXPECT_EQ(step.total, model_.size());
      EXPECT_LE(step.completed, step.total);
      saw_model_done |= step.completed == step.total;
    }
  }
  EXPECT_TRUE(saw_model_done);
  const size_t n = steps.size();
  EXPECT_EQ(steps[n - 3].status, "verifying sha256 digest");
  EXPECT_EQ(steps[n - 2].status, "writing manifest");
  EXPECT_EQ(steps[n - 1].status, "success");
  EXPECT_FALSE(fs::exists(dir_ / "hearth" / "blobs" / (digest_file_name(model_digest) + "-partial")));

  // Pulling again finds every blob present and downloads nothing.
  const int requests = registry_.blob_requests();
  ASSERT_TRUE(pull_name(registry_.host() + "/library/tiny:latest").ok());
  EXPECT_EQ(registry_.blob_requests(), requests);
}

TEST_F(PullTest, ResumesAPartialDownloadWithRange) {
  const fs::path partial = dir_ / "hearth" / "blobs" / (digest_file_name(sha256_of(model_)) + "-partial");
  fs::create_directories(partial.parent_path());
  const size_t have = model_.size() / 3;
  std::ofstream(partial, std::ios::binary) << model_.substr(0, have);
  Result<std::string> pulled = pull_name(registry_.host() + "/library/tiny");
  ASSERT_TRUE(pulled.ok()) << pulled.error();
  const std::vector<std::string> ranges = registry_.ranges();
  EXPECT_NE(std::find(ranges.begin(), ranges.end(), "bytes=" + std::to_string(have) + "-"), ranges.end());
  std::ifstream in(blob(model_), std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), model_);
}

TEST_F(PullTest, DownloadAppendsOnlyWhatTheRangeAnswerHolds) {
  // The partial file's bytes are kept as they are: proof that the server's 206 answer was appended.
  registry_.add_file("data.bin", std::string(100000, 'd'));
  const fs::path partial = dir_ / "data.partial";
  std::ofstream(partial, std::ios::binary) << std::string(1000, 'X');
  Result<Url> url = parse_url("http://" + registry_.host() + "/files/data.bin");
  ASSERT_TRUE(url.ok());
  Result<uint64_t> size = download_resumable(*url, partial, 100000, {});
  ASSERT_TRUE(size.ok()) << size.error();
  EXPECT_EQ(*size, 100000u);
  std::ifstream in(partial, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), std::string(1000, 'X') + std::string(99000, 'd'));
}

TEST_F(PullTest, CorruptBlobFailsTheDigestCheck) {
  std::string corrupt = model_;
  corrupt[corrupt.size() / 2] ^= 0x55;
  registry_.serve_instead(sha256_of(model_), corrupt);
  Result<std::string> pulled = pull_name(registry_.host() + "/library/tiny");
  ASSERT_FALSE(pulled.ok());
  EXPECT_NE(pulled.error().find("digest mismatch for layer " + sha256_of(model_)), std::string::npos) << pulled.error();
  EXPECT_FALSE(fs::exists(blob(model_)));
  EXPECT_FALSE(fs::exists(blob(corrupt)));
  EXPECT_FALSE(fs::exists(fs::path(blob(model_).string() + "-partial")));
  EXPECT_FALSE(store_.has_model(registry_.host() + "/library/tiny"));
  EXPECT_TRUE(store_.list().empty());
}

TEST_F(PullTest, RefusesHostileAndMissingModels) {
  registry_.serve_instead(sha256_of(model_), model_ + "extra bytes beyond the size");
  Result<std::string> oversized = pull_name(registry_.host() + "/library/tiny");
  ASSERT_FALSE(oversized.ok());
  EXPECT_NE(oversized.error().find("more than the expected"), std::string::npos) << oversized.error();

  Result<std::string> missing = pull_name(registry_.host() + "/library/absent:v9");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("404"), std::string::npos) << missing.error();

  EXPECT_FALSE(pull_name("../../etc/passwd").ok());
  EXPECT_FALSE(pull_name(registry_.host() + "/library/../tiny").ok());
  EXPECT_TRUE(store_.list().empty());
}

TEST_F(PullTest, CancelLeavesNoModel) {
  PullOptions options;
  options.progress = [](const Progress& step) { return step.status == "pulling manifest"; };
  Result<std::string> pulled = pull(store_, registry_.host() + "/library/tiny", options);
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.error(), "cancelled");
  EXPECT_TRUE(store_.list().empty());
}

TEST_F(PullTest, PullsAPlainGgufUrl) {
  registry_.add_file("models/Tiny-Model.Q8_0.gguf", model_);
  std::vector<Progress> steps;
  PullOptions options;
  options.progress = [&](const Progress& step) {
    steps.push_back(step);
    return true;
  };
  Result<std::string> pulled = pull(store_, "http://" + registry_.host() + "/files/models/Tiny-Model.Q8_0.gguf", options);
  ASSERT_TRUE(pulled.ok()) << pulled.error();
  EXPECT_EQ(*pulled, "Tiny-Model.Q8_0:latest");
  Result<ResolvedModel> resolved = store_.resolve("Tiny-Model.Q8_0");
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  EXPECT_EQ(resolved->model_path, blob(model_));
  EXPECT_EQ(resolved->config["model_family"], "gemma4");
  EXPECT_EQ(steps.back().status, "success");

  options.name = "chosen/name:q8";
  ASSERT_TRUE(pull(store_, "http://" + registry_.host() + "/files/models/Tiny-Model.Q8_0.gguf", options).ok());
  EXPECT_TRUE(store_.has_model("chosen/name:q8"));

  registry_.add_file("not-a-model.gguf", "plain text, not GGUF");
  Result<std::string> junk = pull(store_, "http://" + registry_.host() + "/files/not-a-model.gguf", {});
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().find("not a usable GGUF"), std::string::npos) << junk.error();

  Result<std::string> missing = pull(store_, "http://" + registry_.host() + "/files/none.gguf", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("404"), std::string::npos) << missing.error();
}

TEST(PullTransport, PlainHttpOnlyToLoopbackUnlessInsecure) {
  test::TempDir dir("pull_transport");
  ModelStore store(StoreConfig{dir / "hearth", std::nullopt});
  Result<std::string> refused = pull(store, "http://example.invalid/model.gguf", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("refusing plain http"), std::string::npos) << refused.error();
  EXPECT_TRUE(check_transport(*parse_url("http://localhost:8080/x"), false).ok());
  EXPECT_TRUE(check_transport(*parse_url("http://[::1]:8080/x"), false).ok());
  EXPECT_TRUE(check_transport(*parse_url("http://10.0.0.1/x"), true).ok());
  EXPECT_TRUE(check_transport(*parse_url("https://example.com/x"), false).ok());
  EXPECT_FALSE(parse_url("ftp://example.com/x").ok());
  EXPECT_FALSE(parse_url("http://user@host/x").ok());
  EXPECT_FALSE(parse_url("http:///x").ok());
}

}  // namespace
}  // namespace hearth::store
