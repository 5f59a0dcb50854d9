// The model store end to end in temporary stores: create → list → resolve → cp → rm, inheritance from a base
// model, Ollama's store read-only, blobs, damaged stores, and the CLI commands on the real binary.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "gguf/gguf_writer.h"
#include "store/digest.h"
#include "store/manifest.h"
#include "store/model_store.h"
#include "store/modelfile_render.h"
#include "support/fixtures.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::TempDir;

void write_gguf(const fs::path& path, const std::string& architecture, float fill) {
  gguf::GgufWriter writer;
  writer.set("general.architecture", gguf::Value::string(architecture));
  std::vector<uint8_t> bytes(16 * sizeof(float));
  for (size_t i = 0; i < 16; ++i) {
    const float value = fill + static_cast<float>(i);
    std::memcpy(bytes.data() + i * sizeof(float), &value, sizeof value);
  }
  ASSERT_TRUE(writer.add_tensor("weight", TensorType::F32, {16}, bytes).ok());
  const Status written = writer.write(path);
  ASSERT_TRUE(written.ok()) << written.error();
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

size_t count_files(const fs::path& folder) {
  size_t count = 0;
  if (!fs::exists(folder)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) count += entry.is_regular_file();
  return count;
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : dir_("store") {
    fs::create_directories(dir_ / "src");
    write_gguf(dir_ / "src" / "model.gguf", "gemma4", 1.0f);
    write_gguf(dir_ / "src" / "proj.gguf", "clip", 100.0f);
    write_gguf(dir_ / "src" / "other.gguf", "llama", 7.0f);
  }

  StoreConfig config() const { return {dir_ / "hearth", dir_ / "ollama"}; }
  fs::path src() const { return dir_ / "src"; }

  Result<std::string> create(ModelStore& store, const std::string& name, const std::string& modelfile,
                             std::vector<std::string>* statuses = nullptr) {
    return store.create_from_modelfile(name, modelfile, src(), [&](const Progress& step) {
      if (statuses != nullptr) statuses->push_back(step.status);
      return true;
    });
  }

  TempDir dir_;
};

const char* kFullModelfile = R"(# everything at once
FROM ./model.gguf
FROM ./proj.gguf
PARAMETER temperature 0.5
PARAMETER num_ctx 2048
PARAMETER stop <end>
PARAMETER stop <eot>
SYSTEM """You are terse."""
TEMPLATE {{ .Prompt }}
MESSAGE user hi
MESSAGE assistant hello
LICENSE MIT
)";

TEST_F(StoreTest, CreateListResolveCopyRemove) {
  ModelStore store(config());
  std::vector<std::string> statuses;
  Result<std::string> created = create(store, "mine:v1", kFullModelfile, &statuses);
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(*created, "mine:v1");
  EXPECT_EQ(statuses.front(), "gathering model components");
  EXPECT_EQ(statuses.back(), "success");

  const std::vector<ListedModel> listed = store.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "mine:v1");
  EXPECT_EQ(listed[0].source, ModelSource::hearth);
  const fs::path manifest_path = dir_ / "hearth/manifests/registry.ollama.ai/library/mine/v1";
  ASSERT_TRUE(fs::is_regular_file(manifest_path));
  EXPECT_EQ(listed[0].digest, sha256_of(read_all(manifest_path)));

  Result<ResolvedModel> resolved = store.resolve("mine:v1");
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  EXPECT_EQ(resolved->name, "mine:v1");
  EXPECT_EQ(resolved->source, ModelSource::hearth);
  EXPECT_EQ(read_all(resolved->model_path), read_all(src() / "model.gguf"));
  ASSERT_TRUE(resolved->projector_path.has_value());
  EXPECT_EQ(read_all(*resolved->projector_path), read_all(src() / "proj.gguf"));
  EXPECT_EQ(resolved->system, "You are terse.");
  EXPECT_EQ(resolved->template_text, "{{ .Prompt }}");
  EXPECT_EQ(resolved->parameters, json::parse(R"({"temperature":0.5,"num_ctx":2048,"stop":["<end>","<eot>"]})"));
  EXPECT_EQ(resolved->messages, json::parse(R"([{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}])"));
  EXPECT_EQ(resolved->licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(resolved->config["model_format"], "gguf");
  EXPECT_EQ(resolved->config["model_family"], "gemma4");
  EXPECT_EQ(resolved->config["model_families"], json::parse(R"(["gemma4","clip"])"));
  EXPECT_EQ(resolved->digest, listed[0].digest);
  EXPECT_EQ(resolved->size, listed[0].size);
  EXPECT_TRUE(store.has_model("MINE:V1"));  // names compare ignoring case
  EXPECT_TRUE(store.resolve("Mine:V1").ok());

  Result<std::string> copied = store.copy("mine:v1", "team/copy");
  ASSERT_TRUE(copied.ok()) << copied.error();
  EXPECT_EQ(*copied, "team/copy:latest");
  Result<ResolvedModel> copy = store.resolve("team/copy");
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(copy->model_path, resolved->model_path);
  EXPECT_EQ(copy->digest, resolved->digest);  // same manifest bytes
  EXPECT_EQ(store.list().size(), 2u);

  const size_t blobs = count_files(dir_ / "hearth/blobs");
  ASSERT_TRUE(store.remove("mine:v1").ok());
  EXPECT_EQ(count_files(dir_ / "hearth/blobs"), blobs);  // still used by the copy
  EXPECT_FALSE(store.resolve("mine:v1").ok());
  ASSERT_TRUE(store.resolve("team/copy").ok());
  ASSERT_TRUE(store.remove("team/copy:latest").ok());
  EXPECT_EQ(count_files(dir_ / "hearth/blobs"), 0u);
  EXPECT_EQ(count_files(dir_ / "hearth/manifests"), 0u);
  EXPECT_TRUE(store.list().empty());
  const Status missing = store.remove("team/copy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "model 'team/copy:latest' not found");
}

TEST_F(StoreTest, RendersAModelfileThatReadsBack) {
  ModelStore store(config());
  ASSERT_TRUE(create(store, "full", kFullModelfile).ok());
  ASSERT_TRUE(create(store, "tricky", "FROM full\nSYSTEM \"\"\"  two\nlines \"quoted\"\"\"\"\nPARAMETER stop \"a\"\"\n").ok());
  Result<ResolvedModel> resolved = store.resolve("tricky");
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  EXPECT_EQ(resolved->system, "  two\nlines \"quoted\"");
  EXPECT_EQ(resolved->parameters["stop"], json::array({"a\""}));  // a new list replaces the inherited one
  EXPECT_EQ(format_parameters(resolved->parameters),
            "num_ctx                        2048\n"
            "stop                           \"a\"\"\n"
            "temperature                    0.5");
  const std::string modelfile = render_modelfile(*resolved);
  EXPECT_NE(modelfile.find("# FROM tricky:latest"), std::string::npos) << modelfile;
  Result<ModelSpec> spec = parse_modelfile(modelfile);
  ASSERT_TRUE(spec.ok()) << spec.error() << "\n" << modelfile;
  ASSERT_EQ(spec->from.size(), 2u);
  EXPECT_EQ(spec->from[0].value, resolved->model_path.string());
  EXPECT_EQ(spec->from[1].value, resolved->projector_path->string());
  EXPECT_EQ(spec->system, resolved->system);
  EXPECT_EQ(spec->template_text, resolved->template_text);
  EXPECT_EQ(spec->parameters, resolved->parameters);
  EXPECT_EQ(*spec->messages, resolved->messages);
  EXPECT_EQ(spec->licenses, resolved->licenses);
}

TEST_F(StoreTest, CreateFromGgufAndInheritFromAModel) {
  ModelStore store(config());
  ASSERT_TRUE(create(store, "base", kFullModelfile).ok());
  Result<std::string> derived =
      create(store, "derived", "FROM base\nSYSTEM Be kind.\nPARAMETER temperature 0.9\nPARAMETER top_k 5\nLICENSE X\n");
  ASSERT_TRUE(derived.ok()) << derived.error();
  Result<ResolvedModel> base = store.resolve("base");
  Result<ResolvedModel> resolved = store.resolve("derived");
  ASSERT_TRUE(base.ok() && resolved.ok());
  EXPECT_EQ(resolved->model_path, base->model_path);
  EXPECT_EQ(resolved->projector_path, base->projector_path);
  EXPECT_EQ(resolved->system, "Be kind.");
  EXPECT_EQ(resolved->template_text, "{{ .Prompt }}");
  EXPECT_EQ(resolved->parameters,
            json::parse(R"({"temperature":0.9,"num_ctx":2048,"stop":["<end>","<eot>"],"top_k":5})"));
  EXPECT_EQ(resolved->messages, base->messages);
  EXPECT_EQ(resolved->licenses, (std::vector<std::string>{"MIT", "X"}));

  // A new projector replaces the inherited one; the same GGUF imported twice is stored once.
  EXPECT_FALSE(create(store, "swapped", "FROM base\nFROM ./model.gguf\n").ok());
  write_gguf(src() / "proj2.gguf", "clip", 200.0f);
  ASSERT_TRUE(create(store, "swapped", "FROM base\nFROM ./proj2.gguf\n").ok());
  Result<ResolvedModel> swapped = store.resolve("swapped");
  ASSERT_TRUE(swapped.ok()) << swapped.error();
  EXPECT_EQ(read_all(*swapped->projector_path), read_all(src() / "proj2.gguf"));

  ModelSpec spec;
  spec.from.push_back({(src() / "model.gguf").string(), 0});
  Result<std::string> plain = store.create("plain", spec, src());
  ASSERT_TRUE(plain.ok()) << plain.error();
  Result<ResolvedModel> plain_model = store.resolve("plain");
  ASSERT_TRUE(plain_model.ok());
  EXPECT_EQ(plain_model->model_path, base->model_path);
  EXPECT_FALSE(plain_model->projector_path.has_value());
  EXPECT_TRUE(plain_model->parameters.empty());

  // FROM a blob digest that is already in the store.
  Result<std::string> model_digest = sha256_of_file(src() / "model.gguf");
  ASSERT_TRUE(model_digest.ok());
  ASSERT_TRUE(create(store, "by-digest", "FROM " + *model_digest + "\n").ok());
  EXPECT_EQ(store.resolve("by-digest")->model_path, base->model_path);

  // Recreating a name replaces it and drops blobs only the old version used.
  ASSERT_TRUE(create(store, "by-digest", "FROM ./other.gguf\n").ok());
  EXPECT_EQ(read_all(store.resolve("by-digest")->model_path), read_all(src() / "other.gguf"));
  ASSERT_TRUE(store.remove("by-digest").ok());
  Result<std::string> other_digest = sha256_of_file(src() / "other.gguf");
  EXPECT_FALSE(store.has_blob(*other_digest));
  EXPECT_TRUE(store.has_blob(*model_digest));
}

TEST_F(StoreTest, CreateRejectsBadInput) {
  ModelStore store(config());
  auto expect_error = [&](const std::string& name, const std::string& modelfile, const std::string& fragment) {
    Result<std::string> created = create(store, name, modelfile);
    ASSERT_FALSE(created.ok()) << modelfile;
    EXPECT_NE(created.error().find(fragment), std::string::npos) << created.error();
  };
  expect_error("x", "FROM ./proj.gguf\n", "is a projector");
  expect_error("x", "FROM ./model.gguf\nFROM ./other.gguf\n", "line 2: a second FROM must name a projector GGUF");
  expect_error("x", "FROM ./missing.gguf\n", "line 1: FROM file");
  expect_error("x", "FROM nosuchmodel\n", "line 1: model 'nosuchmodel:latest' not found");
  expect_error("x", "FROM ./model.gguf\nADAPTER ./lora.gguf\n", "adapters (LoRA) are not supported");
  expect_error("x", "FROM " + sha256_of("nothing") + "\n", "not found");
  expect_error("../escape", "FROM ./model.gguf\n", "invalid model name");
  expect_error("x", "FROM ./\n", "is a folder");
  write_text(src() / "not.gguf", "this is not a GGUF file");
  expect_error("x", "FROM ./not.gguf\n", "line 1:");
  ModelSpec network;
  network.allow_local_files = false;
  network.from.push_back({(src() / "model.gguf").string(), 0});
  Result<std::string> remote = store.create("x", network, src());
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.error().find("invalid model name"), std::string::npos) << remote.error();
  EXPECT_TRUE(store.list().empty());
  // Nothing half-written is left behind.
  EXPECT_EQ(count_files(dir_ / "hearth/manifests"), 0u);
}

TEST_F(StoreTest, ResolvesPlainFilesAndRejectsTraversal) {
  ModelStore store(config());
  const fs::path model = src() / "model.gguf";
  Result<ResolvedModel> file = store.resolve(model.string());
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ(file->source, ModelSource::file);
  EXPECT_EQ(file->model_path, model);
  EXPECT_EQ(file->size, fs::file_size(model));
  EXPECT_FALSE(store.resolve((src() / "absent.gguf").string()).ok());
  for (const char* hostile : {"../../etc/passwd", "/etc/passwd", "a/../../b", "..", "x/y/z/w"}) {
    Result<ResolvedModel> resolved = store.resolve_name(hostile);
    ASSERT_FALSE(resolved.ok()) << hostile;
    EXPECT_NE(resolved.error().find("invalid model name"), std::string::npos) << resolved.error();
  }
  const Result<ResolvedModel> unknown = store.resolve("gemma4:e2b");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), "model 'gemma4:e2b' not found");
}

// Builds a model in the Ollama layout by hand, as `ollama pull` leaves it.
std::string add_ollama_model(const fs::path& root, const std::string& manifest_rel, const fs::path& gguf,
                             const std::string& params) {
  auto add_blob = [&](const std::string& bytes) {
    const std::string digest = sha256_of(bytes);
    write_text(root / "blobs" / digest_file_name(digest), bytes);
    return digest;
  };
  const std::string model = read_all(gguf);
  const std::string config = R"({"model_format":"gguf","model_family":"gemma4"})";
  const json manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
      {"config", {{"mediaType", "application/vnd.docker.container.image.v1+json"}, {"digest", add_blob(config)},
                  {"size", config.size()}}},
      {"layers", json::array({{{"mediaType", "application/vnd.ollama.image.model"}, {"digest", add_blob(model)},
                               {"size", model.size()}},
                              {{"mediaType", "application/vnd.ollama.image.params"}, {"digest", add_blob(params)},
                               {"size", params.size()}}})}};
  write_text(root / "manifests" / manifest_rel, manifest.dump());
  return manifest.dump();
}

TEST_F(StoreTest, ReadsOllamaStoreWithoutChangingIt) {
  const fs::path ollama = dir_ / "ollama";
  // An older option (mirostat) and an unknown one are dropped rather than failing the model.
  add_ollama_model(ollama, "registry.ollama.ai/library/gemma4/e2b", src() / "model.gguf",
                   R"({"stop":["<end_of_turn>"],"temperature":1,"top_k":64,"mirostat":0,"future_option":1})");
  const size_t ollama_files = count_files(ollama);
  ModelStore store(config());

  Result<ResolvedModel> resolved = store.resolve("gemma4:e2b");
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  EXPECT_EQ(resolved->source, ModelSource::ollama);
  EXPECT_EQ(resolved->model_path.parent_path(), ollama / "blobs");
  EXPECT_EQ(resolved->parameters, json::parse(R"({"stop":["<end_of_turn>"],"temperature":1.0,"top_k":64})"));
  EXPECT_EQ(resolved->config["model_family"], "gemma4");
  const std::vector<ListedModel> listed = store.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].source, ModelSource::ollama);
  EXPECT_EQ(listed[0].name, "gemma4:e2b");

  const Status removed = store.remove("gemma4:e2b");
  ASSERT_FALSE(removed.ok());
  EXPECT_NE(removed.error().find("Ollama's store"), std::string::npos) << removed.error();

  // Copying brings the blobs into hearth's store; a derived model can build on an Ollama model too.
  ASSERT_TRUE(store.copy("gemma4:e2b", "mine").ok());
  ASSERT_TRUE(create(store, "tuned", "FROM gemma4:e2b\nPARAMETER temperature 0.2\n").ok());
  Result<ResolvedModel> tuned = store.resolve("tuned");
  ASSERT_TRUE(tuned.ok()) << tuned.error();
  EXPECT_EQ(tuned->source, ModelSource::hearth);
  EXPECT_EQ(tuned->model_path.parent_path(), dir_ / "hearth" / "blobs");
  EXPECT_EQ(tuned->parameters["temperature"], 0.2);
  EXPECT_EQ(tuned->parameters["top_k"], 64);
  EXPECT_EQ(count_files(ollama), ollama_files);

  // A hearth model of the same name hides Ollama's.
  ASSERT_TRUE(store.copy("tuned", "gemma4:e2b").ok());
  EXPECT_EQ(store.resolve("gemma4:e2b")->source, ModelSource::hearth);
  EXPECT_EQ(store.list().size(), 3u);
  EXPECT_EQ(count_files(ollama), ollama_files);
}

TEST_F(StoreTest, DamagedStoresGiveClearErrors) {
  ModelStore store(config());
  ASSERT_TRUE(create(store, "m", "FROM ./model.gguf\nSYSTEM s\n").ok());
  const fs::path manifest = dir_ / "hearth/manifests/registry.ollama.ai/library/m/latest";
  const std::string good = read_all(manifest);
  Result<Manifest> parsed = parse_manifest(good);
  ASSERT_TRUE(parsed.ok());
  const fs::path model_blob = dir_ / "hearth/blobs" / digest_file_name(parsed->layers[0].digest);

  write_text(manifest, "{ not json");
  Result<ResolvedModel> broken = store.resolve("m");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().find("manifest is not valid JSON"), std::string::npos) << broken.error();
  EXPECT_TRUE(store.list().empty());  // unreadable manifests are skipped in lists

  write_text(manifest, good);
  const std::string model_bytes = read_all(model_blob);
  write_text(model_blob, model_bytes.substr(0, model_bytes.size() / 2));
  broken = store.resolve("m");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().find("bytes but the manifest says"), std::string::npos) << broken.error();

  fs::remove(model_blob);
  broken = store.resolve("m");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().find("is missing"), std::string::npos) << broken.error();

  // A manifest pointing outside the blob folder never parses.
  std::string hostile = good;
  const std::string digest = parsed->layers[0].digest;
  hostile.replace(hostile.find(digest), digest.size(), "sha256:../../../../../../etc/passwd");
  write_text(manifest, hostile);
  broken = store.resolve("m");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().find("invalid digest"), std::string::npos) << broken.error();
}

TEST_F(StoreTest, BlobsAreVerifiedBeforeTheyAppear) {
  ModelStore store(config());
  const std::string content = "some blob content";
  const std::string digest = sha256_of(content);
  EXPECT_FALSE(store.has_blob(digest));
  std::istringstream wrong("other content");
  const Status mismatch = store.write_blob(wrong, digest);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().find("digest mismatch"), std::string::npos) << mismatch.error();
  EXPECT_FALSE(store.has_blob(digest));
  EXPECT_EQ(count_files(dir_ / "hearth/blobs"), 0u);  // no temporary file left behind

  std::istringstream right(content);
  ASSERT_TRUE(store.write_blob(right, digest).ok());
  EXPECT_TRUE(store.has_blob(digest));
  EXPECT_TRUE(store.has_blob("sha256-" + digest.substr(7)));
  EXPECT_FALSE(store.has_blob("sha256:../../x"));
  std::istringstream any("x");
  EXPECT_FALSE(store.write_blob(any, "../../etc/passwd").ok());
}

TEST_F(StoreTest, AttachesTheFixtureProjector) {
  HEARTH_REQUIRE_FIXTURES();
  ModelStore store(config());
  const std::string modelfile = "FROM " + test::fixture("gemma4-dense-tiny.gguf").string() + "\nFROM " +
                                test::fixture("gemma4-mmproj-tiny.gguf").string() + "\n";
  Result<std::string> created = create(store, "tiny", modelfile);
  ASSERT_TRUE(created.ok()) << created.error();
  Result<ResolvedModel> resolved = store.resolve("tiny");
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  EXPECT_TRUE(resolved->projector_path.has_value());
  EXPECT_EQ(resolved->config["model_family"], "gemma4");
  EXPECT_FALSE(resolved->config["model_type"].get<std::string>().empty());
  EXPECT_FALSE(resolved->config["file_type"].get<std::string>().empty());
}

class StoreCliTest : public StoreTest {
 protected:
  StoreCliTest() {
    ::setenv("HEARTH_MODELS", (dir_ / "hearth").c_str(), 1);
    ::setenv("OLLAMA_MODELS", (dir_ / "ollama").c_str(), 1);
  }
  ~StoreCliTest() override {
    ::unsetenv("HEARTH_MODELS");
    ::unsetenv("OLLAMA_MODELS");
  }
  static test::ProcessResult hearth(std::vector<std::string> args) {
    args.insert(args.begin(), test::hearth_binary().string());
    return test::run_process(args);
  }
};

TEST_F(StoreCliTest, CreateListCopyRemove) {
  write_text(src() / "Modelfile", "FROM ./model.gguf\nFROM ./proj.gguf\nPARAMETER mirostat 1\n");
  test::ProcessResult result = hearth({"create", "cli-model", "-f", (src() / "Modelfile").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("warning: parameter 'mirostat' is deprecated"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("success"), std::string::npos) << result.err;

  result = hearth({"create", "from-gguf", "--from", (src() / "other.gguf").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  result = hearth({"cp", "cli-model", "cli-copy:v2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "copied 'cli-model' to 'cli-copy:v2'\n");

  result = hearth({"list"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.starts_with("NAME")) << result.out;
  for (const char* name : {"cli-model:latest", "from-gguf:latest", "cli-copy:v2"}) {
    EXPECT_NE(result.out.find(name), std::string::npos) << result.out;
  }
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 4) << result.out;

  result = hearth({"rm", "cli-model", "cli-copy:v2", "from-gguf"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = hearth({"ls"});
  EXPECT_EQ(result.out.find('\n'), result.out.size() - 1) << result.out;  // the header alone

  result = hearth({"rm", "nothing-here"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "hearth: error: model 'nothing-here:latest' not found\n");
  result = hearth({"create", "bad", "-f", (src() / "missing-Modelfile").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.err.starts_with("hearth: error: Modelfile")) << result.err;
}

}  // namespace
}  // namespace hearth::store
