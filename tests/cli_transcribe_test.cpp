// `hearth transcribe` through the real binary on the tiny Gemma 4 fixture with its projector. The weights are
// random, so the text is noise: the tests check the structure (formats, one segment per 30 s window with its
// times, stdin, determinism) and the errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "media/audio_decode.h"
#include "media/wav_encode.h"
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

std::vector<std::string> transcribe(const std::string& audio, std::vector<std::string> extra) {
  std::vector<std::string> args = {"transcribe", fixture("gemma4-dense-tiny.gguf").string(), "--mmproj",
                                   fixture("gemma4-mmproj-tiny.gguf").string(), "--max-tokens", "4"};
  if (!audio.empty()) args.push_back(audio);
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

void write_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The fixture's 1.37 s of speech repeated to a little over 30 s: two windows, 0–30 s and 30–31.4 s.
class CliTranscribe : public ::testing::Test {
 protected:
  void SetUp() override {
    HEARTH_REQUIRE_FIXTURES();
    Result<media::DecodedAudio> speech = media::decode_audio_file(fixture("speech16k.wav"));
    ASSERT_TRUE(speech.ok()) << speech.error();
    std::vector<float> samples;
    while (samples.size() < 31 * 16000) samples.insert(samples.end(), speech->samples.begin(), speech->samples.end());
    seconds_ = static_cast<double>(samples.size()) / 16000.0;
    long_audio_ = dir_ / "long.wav";
    write_bytes(long_audio_, media::encode_wav_float(samples, 16000));
  }
  TempDir dir_{"cli_transcribe"};
  std::filesystem::path long_audio_;
  double seconds_ = 0.0;
};

TEST_F(CliTranscribe, JsonHasOneSegmentPerWindowAndIsDeterministic) {
  const ProcessResult first = hearth(transcribe(long_audio_.string(), {"--format", "json", "--language", "en"}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const json result = json::parse(first.out);
  EXPECT_EQ(result["task"], "transcribe");
  EXPECT_EQ(result["language"], "en");
  EXPECT_NEAR(result["duration"].get<double>(), seconds_, 1e-6);
  ASSERT_EQ(result["segments"].size(), 2u) << first.out;
  EXPECT_EQ(result["segments"][0]["start"], 0.0);
  EXPECT_EQ(result["segments"][0]["end"], 30.0);
  EXPECT_EQ(result["segments"][1]["start"], 30.0);
  EXPECT_NEAR(result["segments"][1]["end"].get<double>(), seconds_, 1e-6);
  EXPECT_LE(result["usage"]["output_tokens"].get<int>(), 8);  // --max-tokens 4 per window
  // 750 soft tokens for the first 30 s window alone.
  EXPECT_GT(result["usage"]["input_tokens"].get<int>(), 750);
  const ProcessResult again = hearth(transcribe(long_audio_.string(), {"--format", "json", "--language", "en"}));
  EXPECT_EQ(again.out, first.out);
}

TEST_F(CliTranscribe, SubtitlesTextAndStdin) {
  const ProcessResult srt = hearth(transcribe(long_audio_.string(), {"--format", "srt"}));
  ASSERT_EQ(srt.exit_code, 0) << srt.err;
  EXPECT_EQ(srt.out.rfind("1\n00:00:00,000 --> 00:00:30,000\n", 0), 0u) << srt.out;
  EXPECT_NE(srt.out.find("\n\n2\n00:00:30,000 --> 00:00:31,"), std::string::npos) << srt.out;

  const std::string speech = fixture("speech16k.wav").string();
  const ProcessResult vtt = hearth(transcribe(speech, {"--format", "vtt", "--chunk-seconds", "1"}));
  ASSERT_EQ(vtt.exit_code, 0) << vtt.err;
  EXPECT_EQ(vtt.out.rfind("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n", 0), 0u) << vtt.out;
  EXPECT_NE(vtt.out.find("\n00:00:01.000 --> 00:00:01.365\n"), std::string::npos) << vtt.out;

  const ProcessResult text = hearth(transcribe(speech, {}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_FALSE(text.out.empty());
  EXPECT_EQ(text.out.back(), '\n');
  std::ifstream in(speech, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ProcessResult piped = hearth(transcribe("", {}), &bytes);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, text.out);
}

TEST_F(CliTranscribe, BadInputsAreClearErrors) {
  const std::string speech = fixture("speech16k.wav").string();
  const ProcessResult format = hearth(transcribe(speech, {"--format", "xml"}));
  EXPECT_EQ(format.exit_code, 1);
  EXPECT_NE(format.err.find("--format"), std::string::npos) << format.err;
  const ProcessResult window = hearth(transcribe(speech, {"--chunk-seconds", "0.5"}));
  EXPECT_EQ(window.exit_code, 1);
  EXPECT_NE(window.err.find("--chunk-seconds"), std::string::npos) << window.err;
  const ProcessResult two_subtitles = hearth(transcribe(speech, {speech, "--format", "srt"}));
  EXPECT_EQ(two_subtitles.exit_code, 1);

  std::ifstream in(speech, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(bytes.size() / 2);
  write_bytes(dir_ / "cut.wav", bytes);
  const ProcessResult truncated = hearth(transcribe((dir_ / "cut.wav").string(), {}));
  EXPECT_EQ(truncated.exit_code, 1);
  EXPECT_NE(truncated.err.find("truncated"), std::string::npos) << truncated.err;
  const ProcessResult not_audio = hearth(transcribe(fixture("test-1.jpeg").string(), {}));
  EXPECT_EQ(not_audio.exit_code, 1);
  EXPECT_NE(not_audio.err.find("test-1.jpeg"), std::string::npos) << not_audio.err;

  const ProcessResult no_projector = hearth({"transcribe", fixture("gemma4-dense-tiny.gguf").string(), speech});
  EXPECT_EQ(no_projector.exit_code, 1);
  EXPECT_NE(no_projector.err.find("encoder"), std::string::npos) << no_projector.err;
}

}  // namespace
}  // namespace hearth::test
