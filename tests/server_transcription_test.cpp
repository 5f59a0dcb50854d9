// POST /v1/audio/transcriptions and /translations on a real `hearth serve` with the tiny Gemma 4 fixture and
// its projector (random weights: the text is noise, the structure is checked): every response format, one
// segment per 30 s window, SSE events adding up to the final text, determinism at temperature 0, and the
// 4xx answers to bad requests.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "media/audio_decode.h"
#include "media/wav_encode.h"
#include "support/server_process.h"

namespace hearth::test {
namespace {

using nlohmann::json;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string sha256_digest(const std::string& bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) out += {hex[hash[i] >> 4], hex[hash[i] & 15]};
  return out;
}

// The fixture's speech repeated to a little over 30 s, as a float WAV.
std::string long_speech() {
  Result<media::DecodedAudio> speech = media::decode_audio_file(fixture("speech16k.wav"));
  std::vector<float> samples;
  while (speech.ok() && samples.size() < 31 * 16000) samples.insert(samples.end(), speech->samples.begin(), speech->samples.end());
  const std::vector<uint8_t> wav = media::encode_wav_float(samples, 16000);
  return std::string(wav.begin(), wav.end());
}

class ServerTranscription : public ::testing::Test {
 protected:
  void SetUp() override {
    HEARTH_REQUIRE_FIXTURES();
    server_ = std::make_unique<ServerProcess>();
    httplib::Client client = server_->client();
    json files = json::object();
    for (const auto& [name, fixture_name] : {std::pair{"model.gguf", "gemma4-dense-tiny.gguf"}, std::pair{"mmproj.gguf", "gemma4-mmproj-tiny.gguf"}}) {
      const std::string bytes = read_file(fixture(fixture_name));
      const std::string digest = sha256_digest(bytes);
      auto uploaded = client.Post(("/api/blobs/" + digest).c_str(), bytes, "application/octet-stream");
      ASSERT_TRUE(uploaded && uploaded->status == 201);
      files[name] = digest;
    }
    auto created = client.Post("/api/create", json{{"model", "tiny-mm"}, {"stream", false}, {"files", files}}.dump(), "application/json");
    ASSERT_TRUE(created && created->status == 200) << (created ? created->body : "no answer");
  }

  // Posts the form; max_tokens keeps the noise short.
  httplib::Result transcribe(const std::string& audio, httplib::MultipartFormDataItems fields,
                             const std::string& path = "/v1/audio/transcriptions") {
    fields.push_back({"file", audio, "speech.wav", "audio/wav"});
    fields.push_back({"max_tokens", "4", "", ""});
    httplib::Client client = server_->client();
    return client.Post(path.c_str(), fields);
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerTranscription, FormatsAndSegmentsOfLongAudio) {
  const std::string audio = long_speech();
  auto verbose = transcribe(audio, {{"model", "tiny-mm", "", ""}, {"response_format", "verbose_json", "", ""}});
  ASSERT_TRUE(verbose);
  ASSERT_EQ(verbose->status, 200) << verbose->body;
  const json result = json::parse(verbose->body);
  EXPECT_EQ(result["task"], "transcribe");
  EXPECT_EQ(result["language"], "unknown");
  ASSERT_EQ(result["segments"].size(), 2u);
  EXPECT_EQ(result["segments"][0]["end"], 30.0);
  EXPECT_EQ(result["segments"][1]["start"], 30.0);
  EXPECT_NEAR(result["segments"][1]["end"].get<double>(), result["duration"].get<double>(), 1e-9);
  EXPECT_GT(result["duration"].get<double>(), 30.0);
  EXPECT_GT(result["usage"]["input_tokens"].get<int>(), 750);

  // The same audio at temperature 0 gives the same text in every format.
  auto plain = transcribe(audio, {{"model", "tiny-mm", "", ""}});
  ASSERT_TRUE(plain && plain->status == 200);
  EXPECT_EQ(json::parse(plain->body)["text"], result["text"]);
  EXPECT_EQ(json::parse(plain->body)["usage"]["type"], "tokens");
  auto text = transcribe(audio, {{"model", "tiny-mm", "", ""}, {"response_format", "text", "", ""}});
  ASSERT_TRUE(text && text->status == 200);
  EXPECT_EQ(text->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
  EXPECT_EQ(text->body, result["text"].get<std::string>() + "\n");
  auto srt = transcribe(audio, {{"model", "tiny-mm", "", ""}, {"response_format", "srt", "", ""}});
  ASSERT_TRUE(srt && srt->status == 200);
  EXPECT_EQ(srt->body.rfind("1\n00:00:00,000 --> 00:00:30,000\n", 0), 0u) << srt->body;
}

TEST_F(ServerTranscription, StreamsDeltasThatAddUpToTheDoneText) {
  const std::string audio = read_file(fixture("speech16k.wav"));
  auto whole = transcribe(audio, {{"model", "tiny-mm", "", ""}});
  ASSERT_TRUE(whole && whole->status == 200);
  auto streamed = transcribe(audio, {{"model", "tiny-mm", "", ""}, {"stream", "true", "", ""}});
  ASSERT_TRUE(streamed && streamed->status == 200);
  EXPECT_EQ(streamed->get_header_value("Content-Type").rfind("text/event-stream", 0), 0u);
  std::string deltas;
  json done;
  std::istringstream in(streamed->body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("data: {", 0) != 0) continue;
    const json event = json::parse(line.substr(6));
    if (event["type"] == "transcript.text.delta") deltas += event["delta"].get<std::string>();
    if (event["type"] == "transcript.text.done") done = event;
  }
  ASSERT_TRUE(done.is_object()) << streamed->body;
  EXPECT_EQ(done["text"], deltas);
  EXPECT_EQ(done["text"], json::parse(whole->body)["text"]);
  EXPECT_GT(done["usage"]["output_tokens"].get<int>(), 0);

  auto vtt = transcribe(audio, {{"model", "tiny-mm", "", ""}, {"response_format", "vtt", "", ""}, {"language", "en", "", ""}});
  ASSERT_TRUE(vtt && vtt->status == 200);
  EXPECT_EQ(vtt->body.rfind("WEBVTT\n\n00:00:00.000 --> 00:00:01.365\n", 0), 0u) << vtt->body;
  auto translated = transcribe(audio, {{"model", "tiny-mm", "", ""}, {"response_format", "text", "", ""}}, "/v1/audio/translations");
  ASSERT_TRUE(translated);
  EXPECT_EQ(translated->status, 200) << translated->body;
}

TEST_F(ServerTranscription, BadRequestsAreOpenAiErrors) {
  const std::string audio = read_file(fixture("speech16k.wav"));
  const auto expect_error = [](const httplib::Result& res, int status, const std::string& message) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.contains("error")) << res->body;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(message), std::string::npos) << res->body;
  };
  httplib::Client client = server_->client();
  expect_error(client.Post("/v1/audio/transcriptions", httplib::MultipartFormDataItems{{"model", "tiny-mm", "", ""}}), 400, "file is required");
  expect_error(client.Post("/v1/audio/transcriptions", R"({"model":"tiny-mm"})", "application/json"), 400, "multipart/form-data");
  expect_error(transcribe("", {{"model", "tiny-mm", "", ""}}), 400, "audio file is empty");
  expect_error(transcribe(audio, {}), 400, "model is required");
  expect_error(transcribe(audio, {{"model", "no-such-model", "", ""}}), 404, "not found");
  expect_error(transcribe(audio, {{"model", fixture("gemma4-dense-tiny.gguf").string(), "", ""}}), 400, "does not support audio input");
  expect_error(transcribe(read_file(fixture("test-1.jpeg")), {{"model", "tiny-mm", "", ""}}), 400, "invalid audio file");
  expect_error(transcribe(audio.substr(0, audio.size() / 2), {{"model", "tiny-mm", "", ""}}), 400, "truncated");
  expect_error(transcribe(audio, {{"model", "tiny-mm", "", ""}, {"response_format", "xml", "", ""}}), 400, "response_format");
  expect_error(transcribe(std::string((25u << 20) + 1, 'x'), {{"model", "tiny-mm", "", ""}}), 413, "limit");
}

}  // namespace
}  // namespace hearth::test
