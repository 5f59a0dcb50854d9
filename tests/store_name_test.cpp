// Model names, digests and manifests of the model store: parsing tables, path traversal attempts, corruption.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/digest.h"
#include "store/manifest.h"
#include "store/model_name.h"

namespace hearth::store {
namespace {

struct NameCase {
  std::string text;
  std::string full;
  std::string display;
};

TEST(StoreName, ParsesAndNormalisesLikeOllama) {
  const std::vector<NameCase> cases = {
      {"gemma4", "registry.ollama.ai/library/gemma4:latest", "gemma4:latest"},
      {"gemma4:e2b", "registry.ollama.ai/library/gemma4:e2b", "gemma4:e2b"},
      {"llama3.2:1b-instruct-q4_K_M", "registry.ollama.ai/library/llama3.2:1b-instruct-q4_K_M",
       "llama3.2:1b-instruct-q4_K_M"},
      {"user/model:tag", "registry.ollama.ai/user/model:tag", "user/model:tag"},
      {"library/gemma4", "registry.ollama.ai/library/gemma4:latest", "gemma4:latest"},
      {"hf.co/unsloth/gemma-3-GGUF:Q4_K_M", "hf.co/unsloth/gemma-3-GGUF:Q4_K_M", "hf.co/unsloth/gemma-3-GGUF:Q4_K_M"},
      {"localhost:5000/ns/m:v1", "localhost:5000/ns/m:v1", "localhost:5000/ns/m:v1"},
      {"registry.ollama.ai/library/qwen3:8b", "registry.ollama.ai/library/qwen3:8b", "qwen3:8b"},
      {"_under/x_y", "registry.ollama.ai/_under/x_y:latest", "_under/x_y:latest"},
  };
  for (const NameCase& test : cases) {
    Result<ModelName> name = parse_model_name(test.text);
    ASSERT_TRUE(name.ok()) << test.text << ": " << name.error();
    EXPECT_EQ(name->full(), test.full) << test.text;
    EXPECT_EQ(name->display(), test.display) << test.text;
    // The display form reads back to the same name.
    Result<ModelName> again = parse_model_name(name->display());
    ASSERT_TRUE(again.ok()) << name->display();
    EXPECT_EQ(again->full(), test.full);
  }
}

TEST(StoreName, ManifestPathHasFourParts) {
  Result<ModelName> name = parse_model_name("gemma4:e2b");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->manifest_path(), std::filesystem::path("registry.ollama.ai/library/gemma4/e2b"));
}

TEST(StoreName, ComparesIgnoringCase) {
  Result<ModelName> a = parse_model_name("Gemma4:E2B");
  Result<ModelName> b = parse_model_name("REGISTRY.ollama.ai/Library/gemma4:e2b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->same_as(*b));
  Result<ModelName> c = parse_model_name("gemma4:e4b");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(a->same_as(*c));
}

TEST(StoreName, RejectsTraversalAndOddCharacters) {
  const std::vector<std::string> bad = {
      "",
      "..",
      "../x",
      "x/../y",
      "../../etc/passwd",
      "a/b/c/d",
      "/abs/model",
      "model/",
      "/model",
      ".hidden",
      "x:..",
      "x:.",
      "ns/..:tag",
      "ns.with.dot/model",
      "model:tag:extra",
      "mo del",
      "model\\x",
      "model\n",
      std::string("mo\0del", 6),
      "model@sha256:abc",
      "model:",
      ":tag",
      "host/ns/.model",
      "-leading",
      std::string(81, 'a'),
      "x:" + std::string(81, 't'),
      "caf\xc3\xa9",
      "%2e%2e",
  };
  for (const std::string& text : bad) {
    Result<ModelName> name = parse_model_name(text);
    EXPECT_FALSE(name.ok()) << "accepted '" << text << "' as " << (name.ok() ? name->full() : "");
    if (!name.ok()) {
      EXPECT_NE(name.error().find("invalid model name"), std::string::npos) << name.error();
    }
  }
}

TEST(StoreName, EveryAcceptedNameStaysInsideTheStore) {
  // Whatever parses must yield four plain path components (no '.', '..', '/', empty or absolute parts).
  const std::vector<std::string> inputs = {"a", "a:b", "a/b", "a/b/c", "a.b/c/d:e", "h:1/n/m:t", "x-y_z.w:1.0"};
  for (const std::string& text : inputs) {
    Result<ModelName> name = parse_model_name(text);
    ASSERT_TRUE(name.ok()) << text;
    const std::filesystem::path path = name->manifest_path();
    EXPECT_FALSE(path.is_absolute());
    size_t parts = 0;
    for (const auto& part : path) {
      ++parts;
      EXPECT_NE(part, "..");
      EXPECT_NE(part, ".");
      EXPECT_FALSE(part.empty());
    }
    EXPECT_EQ(parts, 4u) << text;
  }
}

TEST(StoreDigest, AcceptsOnlySha256WithSixtyFourHexDigits) {
  const std::string hex(64, 'a');
  EXPECT_EQ(*parse_digest("sha256:" + hex), "sha256:" + hex);
  EXPECT_EQ(*parse_digest("sha256-" + hex), "sha256:" + hex);
  EXPECT_EQ(*parse_digest("sha256:" + std::string(64, 'A')), "sha256:" + hex);
  for (const std::string& bad : {std::string("sha256:") + std::string(63, 'a'), "sha256:" + hex + "0",
                                 "sha512:" + hex, "sha256/" + hex, "sha256:" + std::string(62, 'a') + "/.",
                                 "sha256:../../" + std::string(58, 'a'), std::string("sha256:") + std::string(64, 'g'),
                                 std::string("")}) {
    EXPECT_FALSE(parse_digest(bad).ok()) << bad;
  }
  EXPECT_EQ(digest_file_name("sha256:" + hex), "sha256-" + hex);
  EXPECT_EQ(short_digest("sha256:0123456789abcdef" + std::string(48, '0')), "0123456789ab");
}

TEST(StoreDigest, HashesKnownVectors) {
  EXPECT_EQ(sha256_of(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_of("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 streamed;
  streamed.update("a", 1);
  streamed.update("bc", 2);
  EXPECT_EQ(streamed.finish(), sha256_of("abc"));
}

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

std::string manifest_text(const std::string& layers, const std::string& config = "") {
  const std::string config_json =
      config.empty() ? R"({"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" + kDigestA +
                           R"(","size":10})"
                     : config;
  return R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":)" +
         config_json + R"(,"layers":[)" + layers + "]}";
}

TEST(StoreManifest, ParsesAndWritesBack) {
  const std::string text =
      manifest_text(R"({"mediaType":"application/vnd.ollama.image.model","digest":")" + kDigestB +
                    R"(","size":5000000000,"from":"gemma4:latest"})");
  Result<Manifest> manifest = parse_manifest(text);
  ASSERT_TRUE(manifest.ok()) << manifest.error();
  ASSERT_EQ(manifest->layers.size(), 1u);
  EXPECT_EQ(manifest->layers[0].size, 5000000000u);
  EXPECT_EQ(manifest->layers[0].from, "gemma4:latest");
  EXPECT_EQ(manifest->total_size(), 5000000010u);
  EXPECT_EQ(manifest->digests(), (std::vector<std::string>{kDigestA, kDigestB}));
  Result<Manifest> again = parse_manifest(serialize_manifest(*manifest));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(serialize_manifest(*again), serialize_manifest(*manifest));
}

TEST(StoreManifest, RejectsCorruption) {
  const std::string layer_prefix = R"({"mediaType":"application/vnd.ollama.image.model","digest":)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "{"},
      {"array root", "[]"},
      {"wrong schema", R"({"schemaVersion":1,"config":{},"layers":[]})"},
      {"missing config", R"({"schemaVersion":2,"layers":[]})"},
      {"layers not array", manifest_text("").replace(manifest_text("").find("[]"), 2, "{}")},
      {"traversal digest", manifest_text(layer_prefix + R"("sha256:../../../../etc/passwd","size":1})")},
      {"short digest", manifest_text(layer_prefix + R"("sha256:abcd","size":1})")},
      {"digest not string", manifest_text(layer_prefix + R"(12,"size":1})")},
      {"negative size", manifest_text(layer_prefix + "\"" + kDigestB + R"(","size":-1})")},
      {"float size", manifest_text(layer_prefix + "\"" + kDigestB + R"(","size":1.5})")},
      {"string size", manifest_text(layer_prefix + "\"" + kDigestB + R"(","size":"1"})")},
      {"huge size", manifest_text(layer_prefix + "\"" + kDigestB + R"(","size":18446744073709551615})")},
      {"missing size", manifest_text(layer_prefix + "\"" + kDigestB + "\"}")},
      {"empty media type", manifest_text(R"({"mediaType":"","digest":")" + kDigestB + R"(","size":1})")},
      {"layer not object", manifest_text("1")},
      {"bad config digest", manifest_text("", R"({"mediaType":"x","digest":"sha256:zz","size":1})")},
  };
  for (const auto& [what, text] : cases) {
    Result<Manifest> manifest = parse_manifest(text);
    EXPECT_FALSE(manifest.ok()) << what;
  }
  EXPECT_FALSE(parse_manifest(std::string(kMaxManifestBytes + 1, ' ')).ok());
  // Deep nesting is refused without exhausting the stack.
  EXPECT_FALSE(parse_manifest(std::string(500000, '[')).ok());
}

}  // namespace
}  // namespace hearth::store
