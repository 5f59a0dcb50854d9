// The Gemma 4 audio encoder against the llama.cpp goldens (fixtures/README.md): every projector fixture with
// an audio golden in the fixtures folder, unseen ones included, through the library and through
// `hearth encode --audio --mel --json`; the Ollama tensor naming gives the same tokens; broken files are
// refused with the tensor named.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "media/audio_decode.h"
#include "models/gemma4/audio_encoder.h"
#include "support/fixtures.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace hearth {
namespace {

using nlohmann::json;
namespace gemma4 = models::gemma4;

constexpr double kEmbeddingTolerance = 5e-3;  // relative L2
constexpr double kMelTolerance = 1e-4;        // absolute

struct AudioGolden {
  std::filesystem::path projector;
  std::filesystem::path text_model;
  json golden;
};

// Projector fixtures whose golden has an audio part.
std::vector<AudioGolden> discover() {
  std::vector<AudioGolden> found;
  if (!test::fixtures_available()) return found;
  for (const auto& entry : std::filesystem::directory_iterator(test::fixtures_dir())) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".golden.json")) continue;
    json golden = json::parse(std::ifstream(entry.path()), nullptr, false);
    if (golden.is_discarded() || !golden.contains("runs") || !golden.contains("fixture")) continue;
    bool has_audio = false;
    for (const auto& [variant, run] : golden["runs"].items()) has_audio |= run.contains("audio");
    if (!has_audio) continue;
    found.push_back({test::fixture(golden["fixture"]), test::fixture(golden.value("text_model", "")), std::move(golden)});
  }
  return found;
}

std::vector<float> read_f32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

double relative_l2(const std::vector<float>& got, const std::vector<float>& want) {
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    norm += double(want[i]) * want[i];
  }
  return std::sqrt(diff / norm);
}

std::unique_ptr<gemma4::AudioEncoder> load(const std::filesystem::path& path) {
  Result<std::unique_ptr<gemma4::AudioEncoder>> encoder = gemma4::AudioEncoder::load(path);
  EXPECT_TRUE(encoder.ok()) << encoder.error();
  return encoder ? std::move(*encoder) : nullptr;
}

std::vector<float> decode(const std::filesystem::path& path) {
  Result<media::DecodedAudio> audio = media::decode_audio_file(path);
  EXPECT_TRUE(audio.ok()) << audio.error();
  return audio ? audio->samples : std::vector<float>{};
}

cpu::LinearNumerics numerics_of(const std::string& variant) {
  return variant == "as_stored" ? cpu::LinearNumerics::as_stored : cpu::LinearNumerics::f32_upcast;
}

TEST(AudioEncoder, MatchesGoldensThroughTheLibrary) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<AudioGolden> goldens = discover();
  ASSERT_FALSE(goldens.empty()) << "no projector golden with audio in " << test::fixtures_dir();
  for (const AudioGolden& g : goldens) {
    std::unique_ptr<gemma4::AudioEncoder> encoder = load(g.projector);
    ASSERT_NE(encoder, nullptr);
    for (const auto& [variant, run] : g.golden["runs"].items()) {
      const json& audio = run["audio"];
      const std::vector<float> pcm = decode(test::fixture(audio["input_file"]));
      Result<gemma4::AudioEmbeddings> out = gemma4::encode_audio(*encoder, pcm, {numerics_of(variant)});
      ASSERT_TRUE(out.ok()) << out.error();
      ASSERT_EQ(out->n_tokens, audio["n_soft_tokens"].get<int64_t>()) << g.projector;
      ASSERT_EQ(out->n_embd, audio["n_embd"].get<int64_t>());
      EXPECT_EQ(encoder->tokens_for_samples(static_cast<int64_t>(pcm.size())), out->n_tokens);
      const std::vector<float> want = read_f32(test::fixture(audio["embeddings"]["data_file"]));
      ASSERT_EQ(want.size(), out->values.size());
      const double deviation = relative_l2(out->values, want);
      std::cout << g.projector.filename().string() << " " << variant << ": relative L2 " << deviation << "\n";
      EXPECT_LE(deviation, kEmbeddingTolerance) << g.projector << " " << variant;
    }
  }
}

TEST(AudioEncoder, MatchesGoldensThroughTheCli) {
  HEARTH_REQUIRE_FIXTURES();
  for (const AudioGolden& g : discover()) {
    const json& audio = g.golden["runs"].begin().value()["audio"];
    const test::ProcessResult run = test::run_process({test::hearth_binary().string(), "encode", g.text_model.string(),
                                                       "--mmproj", g.projector.string(), "--audio",
                                                       test::fixture(audio["input_file"]).string(), "--mel", "--json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json out = json::parse(run.out);
    ASSERT_EQ(out["n_tokens"].get<int64_t>(), audio["n_soft_tokens"].get<int64_t>());
    ASSERT_EQ(out["dim"].get<int64_t>(), audio["n_embd"].get<int64_t>());
    const std::vector<float> values = out["values"].get<std::vector<float>>();
    double best = INFINITY;
    for (const auto& [variant, other] : g.golden["runs"].items()) {
      const std::vector<float> want = read_f32(test::fixture(other["audio"]["embeddings"]["data_file"]));
      ASSERT_EQ(want.size(), values.size());
      best = std::min(best, relative_l2(values, want));
    }
    EXPECT_LE(best, kEmbeddingTolerance);

    ASSERT_EQ(out["mel_chunks"].size(), audio["mel_chunks"].size());
    for (size_t c = 0; c < audio["mel_chunks"].size(); ++c) {
      const json& got = out["mel_chunks"][c];
      const json& expected = audio["mel_chunks"][c];
      ASSERT_EQ(got["n_mel"], expected["n_mel"]);
      ASSERT_EQ(got["n_frames"], expected["n_frames"]);
      const std::vector<float> mel = got["values"].get<std::vector<float>>();
      const std::vector<float> want = read_f32(test::fixture(expected["data_file"]));
      ASSERT_EQ(mel.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(mel[i], want[i], kMelTolerance) << "chunk " << c << " value " << i;
    }
    EXPECT_EQ(out["mel"], out["mel_chunks"][0]);
  }
}

// Audio over 30 s is encoded in independent 30 s chunks whose tokens are concatenated.
TEST(AudioEncoder, LongAudioIsEncodedInThirtySecondChunks) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<AudioGolden> goldens = discover();
  ASSERT_FALSE(goldens.empty());
  std::unique_ptr<gemma4::AudioEncoder> encoder = load(goldens[0].projector);
  ASSERT_NE(encoder, nullptr);
  const std::vector<float> speech = decode(test::fixture("speech16k.wav"));
  std::vector<float> pcm;
  while (pcm.size() < static_cast<size_t>(media::kAudioChunkSamples + 16000)) pcm.insert(pcm.end(), speech.begin(), speech.end());
  pcm.resize(media::kAudioChunkSamples + 16000);

  Result<gemma4::AudioEmbeddings> whole = gemma4::encode_audio(*encoder, pcm);
  Result<gemma4::AudioEmbeddings> head = gemma4::encode_audio(*encoder, std::span(pcm).first(media::kAudioChunkSamples));
  Result<gemma4::AudioEmbeddings> tail = gemma4::encode_audio(*encoder, std::span(pcm).subspan(media::kAudioChunkSamples));
  ASSERT_TRUE(whole.ok() && head.ok() && tail.ok());
  EXPECT_EQ(head->n_tokens, 750);
  EXPECT_EQ(tail->n_tokens, 25);
  ASSERT_EQ(whole->n_tokens, head->n_tokens + tail->n_tokens);
  std::vector<float> joined = head->values;
  joined.insert(joined.end(), tail->values.begin(), tail->values.end());
  EXPECT_EQ(whole->values, joined);
  EXPECT_EQ(encoder->tokens_for_samples(static_cast<int64_t>(pcm.size())), 775);

  Result<gemma4::AudioEmbeddings> empty = gemma4::encode_audio(*encoder, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->n_tokens, 0);
}

// Rewrites a GGUF: tensors renamed (nullopt drops one) or given a new shape (zero data), keys renamed.
struct Rewrite {
  std::function<std::optional<std::string>(const std::string&)> tensor_name = [](const std::string& n) { return n; };
  std::function<std::string(const std::string&)> key = [](const std::string& k) { return k; };
  std::map<std::string, std::vector<int64_t>> reshape;
};

void rewrite(const std::filesystem::path& from, const std::filesystem::path& to, const Rewrite& change) {
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(from);
  ASSERT_TRUE(file.ok()) << file.error();
  gguf::GgufWriter writer((*file)->alignment());
  for (const gguf::KeyValue& kv : (*file)->metadata()) {
    if (kv.key != "general.alignment") writer.set(change.key(kv.key), kv.value);
  }
  for (const gguf::TensorInfo& tensor : (*file)->tensors()) {
    const std::optional<std::string> name = change.tensor_name(tensor.name);
    if (!name) continue;
    std::vector<int64_t> ne(tensor.ne.begin(), tensor.ne.begin() + std::max(tensor.n_dims, 1u));
    std::vector<uint8_t> bytes(tensor.bytes_view().begin(), tensor.bytes_view().end());
    if (auto it = change.reshape.find(tensor.name); it != change.reshape.end()) {
      ne = it->second;
      int64_t elements = 1;
      for (int64_t n : ne) elements *= n;
      bytes.assign(elements * sizeof(float), 0);
      ASSERT_EQ(tensor.type, TensorType::F32) << "reshape only F32 tensors";
    }
    Status added = writer.add_tensor(*name, tensor.type, ne, std::move(bytes));
    ASSERT_TRUE(added.ok()) << added.error();
  }
  Status written = writer.write(to);
  ASSERT_TRUE(written.ok()) << written.error();
}

// The Ollama names of §3.4 for a llama.cpp projector's audio tensors.
std::optional<std::string> ollama_name(const std::string& name) {
  const std::vector<std::pair<std::string, std::string>> renames = {
      {"a.input_projection.", "a.pre_encode.out."}, {"a.pre_encode.out.", "mm.a.fc."}};
  for (const auto& [from, to] : renames) {
    if (name.starts_with(from)) return to + name.substr(from.size());
  }
  if (name.starts_with("a.blk.")) {
    const size_t dot = name.find('.', 6);
    const std::string prefix = name.substr(0, dot + 1), rest = name.substr(dot + 1);
    const std::vector<std::pair<std::string, std::string>> block_renames = {
        {"attn_pre_norm.", "ln1."}, {"attn_post_norm.", "ln2."}, {"ln2.", "layer_pre_norm."}, {"attn_k_rel.", "linear_pos."}};
    for (const auto& [from, to] : block_renames) {
      if (rest.starts_with(from)) return prefix + to + rest.substr(from.size());
    }
  }
  return name;
}

TEST(AudioEncoder, OllamaNamingGivesTheSameTokens) {
  HEARTH_REQUIRE_FIXTURES();
  test::TempDir dir("audio_ollama");
  for (const AudioGolden& g : discover()) {
    Rewrite change;
    change.tensor_name = ollama_name;
    change.key = [](const std::string& key) {
      return key.starts_with("clip.audio.") ? "gemma4.audio." + key.substr(11) : "x." + key;
    };
    const std::filesystem::path ollama = dir / "ollama.gguf";
    rewrite(g.projector, ollama, change);
    if (HasFatalFailure()) return;
    std::unique_ptr<gemma4::AudioEncoder> reference = load(g.projector);
    std::unique_ptr<gemma4::AudioEncoder> renamed = load(ollama);
    ASSERT_TRUE(reference && renamed);
    EXPECT_EQ(renamed->config().naming, gemma4::AudioTensorNaming::ollama);
    const std::vector<float> pcm = decode(test::fixture("speech16k.wav"));
    Result<gemma4::AudioEmbeddings> a = gemma4::encode_audio(*reference, pcm);
    Result<gemma4::AudioEmbeddings> b = gemma4::encode_audio(*renamed, pcm);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->values, b->values);
  }
}

TEST(AudioEncoder, BrokenFilesNameTheTensor) {
  HEARTH_REQUIRE_FIXTURES();
  const std::vector<AudioGolden> goldens = discover();
  ASSERT_FALSE(goldens.empty());
  test::TempDir dir("audio_broken");
  const std::filesystem::path broken = dir / "broken.gguf";
  const auto expect_error = [&](const Rewrite& change, const std::string& fragment) {
    rewrite(goldens[0].projector, broken, change);
    Result<std::unique_ptr<gemma4::AudioEncoder>> encoder = gemma4::AudioEncoder::load(broken);
    ASSERT_FALSE(encoder.ok()) << "expected an error mentioning " << fragment;
    EXPECT_NE(encoder.error().find(fragment), std::string::npos) << encoder.error();
  };

  Rewrite missing;
  missing.tensor_name = [](const std::string& n) -> std::optional<std::string> {
    if (n == "a.blk.0.attn_q.weight") return std::nullopt;
    return n;
  };
  expect_error(missing, "missing required tensor 'a.blk.0.attn_q.weight'");

  Rewrite misshaped;
  misshaped.reshape["a.blk.0.conv_dw.weight"] = {7, 3};
  expect_error(misshaped, "'a.blk.0.conv_dw.weight'");

  Rewrite bad_norm;
  bad_norm.reshape["a.blk.0.ffn_norm.weight"] = {3};
  expect_error(bad_norm, "tensor 'a.blk.0.ffn_norm.weight': shape {3}");

  Rewrite no_audio;
  no_audio.tensor_name = [](const std::string& n) -> std::optional<std::string> {
    if (n.starts_with("a.")) return std::nullopt;
    return n;
  };
  expect_error(no_audio, "no audio encoder");

  Rewrite no_keys;
  no_keys.key = [](const std::string& key) { return key == "clip.audio.block_count" ? "x.removed" : key; };
  expect_error(no_keys, "block_count");
}

TEST(AudioEncoder, CliRefusesAMismatchedTextModel) {
  HEARTH_REQUIRE_FIXTURES();
  for (const AudioGolden& g : discover()) {
    // The projector given as the model has no text width to compare: accepted. A text model of another
    // width: refused.
    for (const char* other : {"qwen35-tiny.gguf", "llama4-tiny.gguf"}) {
      if (!std::filesystem::exists(test::fixture(other))) continue;
      const test::ProcessResult run =
          test::run_process({test::hearth_binary().string(), "encode", test::fixture(other).string(), "--mmproj",
                             g.projector.string(), "--audio", test::fixture("speech16k.wav").string(), "--json"});
      Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(test::fixture(other));
      ASSERT_TRUE(file.ok());
      Result<std::string> arch = (*file)->get_string("general.architecture");
      Result<uint64_t> width = (*file)->get_uint(*arch + ".embedding_length");
      ASSERT_TRUE(width.ok());
      if (static_cast<int64_t>(*width) == g.golden["runs"].begin().value()["audio"]["n_embd"].get<int64_t>()) continue;
      EXPECT_EQ(run.exit_code, 1) << run.out;
      EXPECT_NE(run.err.find("embedding_length"), std::string::npos) << run.err;
    }
    const test::ProcessResult bad_audio =
        test::run_process({test::hearth_binary().string(), "encode", g.text_model.string(), "--mmproj",
                           g.projector.string(), "--audio", g.projector.string()});
    EXPECT_EQ(bad_audio.exit_code, 1);
    EXPECT_NE(bad_audio.err.find("hearth: error: encode:"), std::string::npos) << bad_audio.err;
  }
}

}  // namespace
}  // namespace hearth
