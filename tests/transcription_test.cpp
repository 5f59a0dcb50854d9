// The model-free parts of transcription: windows and their times, the WAV clips they travel as, the
// transcript joined while it streams, the subtitle and JSON formats, the instruction, and the checks on the
// multipart form of /v1/audio/transcriptions.
#include <gtest/gtest.h>

#include "engine/transcript_format.h"
#include "media/audio_decode.h"
#include "media/wav_encode.h"
#include "server/transcription_form.h"

namespace hearth {
namespace {

using engine::AudioWindow;
using engine::TranscriptSegment;

std::vector<float> ramp(size_t n) {
  std::vector<float> samples(n);
  for (size_t i = 0; i < n; ++i) samples[i] = static_cast<float>(i % 2000) / 2000.0f - 0.5f;
  return samples;
}

TEST(TranscriptionWindows, SplitWithoutOverlapAndKeepTheSamplesExactly) {
  const std::vector<float> samples = ramp(40000);  // 2.5 s
  Result<std::vector<AudioWindow>> windows = engine::split_into_windows(samples, 1.0);
  ASSERT_TRUE(windows.ok()) << windows.error();
  ASSERT_EQ(windows->size(), 3u);
  const double expected[][2] = {{0.0, 1.0}, {1.0, 2.0}, {2.0, 2.5}};
  std::vector<float> joined;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ((*windows)[i].start_seconds, expected[i][0]);
    EXPECT_DOUBLE_EQ((*windows)[i].end_seconds, expected[i][1]);
    EXPECT_EQ((*windows)[i].clip.kind, engine::MediaKind::audio);
    Result<media::DecodedAudio> decoded = media::decode_audio_memory((*windows)[i].clip.bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    joined.insert(joined.end(), decoded->samples.begin(), decoded->samples.end());
  }
  EXPECT_EQ(joined, samples);  // float WAV at the model's rate: no resampling, no rounding

  EXPECT_EQ(engine::split_into_windows(samples, 30.0)->size(), 1u);
  EXPECT_TRUE(engine::split_into_windows({}, 30.0)->empty());
  EXPECT_FALSE(engine::split_into_windows(samples, 0.5).ok());
  EXPECT_FALSE(engine::split_into_windows(samples, 1e9).ok());
  EXPECT_FALSE(engine::split_into_windows(samples, std::nan("")).ok());
}

TEST(TranscriptionWindows, AudioFilesAreDecodedAndRefusedWithReasons) {
  const std::vector<uint8_t> wav = media::encode_wav_float(ramp(48000), 16000);
  Result<std::vector<AudioWindow>> windows = engine::audio_windows(wav, 2.0, 60.0);
  ASSERT_TRUE(windows.ok()) << windows.error();
  EXPECT_EQ(windows->size(), 2u);
  EXPECT_NE(engine::audio_windows({}, 30.0, 60.0).error().find("empty"), std::string::npos);
  EXPECT_NE(engine::audio_windows(wav, 30.0, 1.0).error().find("limit"), std::string::npos);
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'};
  EXPECT_FALSE(engine::audio_windows(text, 30.0, 60.0).ok());
}

TEST(TranscriptionWindows, TokenCapGrowsWithTheWindow) {
  EXPECT_EQ(engine::max_tokens_for_window(0.2), 32);
  EXPECT_EQ(engine::max_tokens_for_window(30.0), 448);
}

TEST(TranscriptBuilder, JoinsWindowsAndStreamsExactlyTheFinalText) {
  engine::TranscriptBuilder builder({engine::TranscriptTask::transcribe, "en", ""});
  std::string streamed;
  for (const char* piece : {"  Hello", " there ", "\n"}) streamed += builder.feed(piece);
  builder.end_window({0.0, 30.0, {}}, 100, 5);
  builder.end_window({30.0, 60.0, {}}, 90, 1);  // silence: no text
  for (const char* piece : {"\nsecond", "  part.", " "}) streamed += builder.feed(piece);
  builder.end_window({60.0, 61.5, {}}, 20, 3);

  const engine::Transcript& transcript = builder.transcript();
  EXPECT_EQ(transcript.text, "Hello there second  part.");
  EXPECT_EQ(streamed, transcript.text);
  ASSERT_EQ(transcript.segments.size(), 3u);
  EXPECT_EQ(transcript.segments[0].text, "Hello there");
  EXPECT_EQ(transcript.segments[1].text, "");
  EXPECT_EQ(transcript.segments[2].text, "second  part.");
  EXPECT_EQ(transcript.segments[2].id, 2);
  EXPECT_DOUBLE_EQ(transcript.duration_seconds, 61.5);
  EXPECT_EQ(transcript.input_tokens, 210);
  EXPECT_EQ(transcript.output_tokens, 9);
  EXPECT_EQ(transcript.language, "en");
}

TEST(TranscriptFormat, SubtitlesHaveOneCuePerSpokenWindow) {
  const std::vector<TranscriptSegment> segments = {
      {0, 0.0, 30.0, "First line"}, {1, 30.0, 60.0, ""}, {2, 60.0, 3725.4567, "Two\n\nparagraphs --> arrow"}};
  EXPECT_EQ(engine::format_srt(segments),
            "1\n00:00:00,000 --> 00:00:30,000\nFirst line\n\n"
            "2\n00:01:00,000 --> 01:02:05,457\nTwo\nparagraphs -> arrow\n\n");
  EXPECT_EQ(engine::format_vtt(segments),
            "WEBVTT\n\n00:00:00.000 --> 00:00:30.000\nFirst line\n\n"
            "00:01:00.000 --> 01:02:05.457\nTwo\nparagraphs -> arrow\n\n");
  EXPECT_EQ(engine::format_vtt({}), "WEBVTT\n\n");
}

TEST(TranscriptFormat, JsonShapes) {
  engine::Transcript transcript;
  transcript.text = "Hello";
  transcript.duration_seconds = 2.5;
  transcript.segments = {{0, 0.0, 2.5, "Hello"}};
  transcript.input_tokens = 70;
  transcript.output_tokens = 3;
  const nlohmann::json plain = engine::transcript_json(transcript, false);
  EXPECT_EQ(plain["text"], "Hello");
  EXPECT_EQ(plain["usage"], (nlohmann::json{{"type", "tokens"}, {"input_tokens", 70}, {"output_tokens", 3}, {"total_tokens", 73}}));
  EXPECT_FALSE(plain.contains("segments"));
  const nlohmann::json verbose = engine::transcript_json(transcript, true);
  EXPECT_EQ(verbose["task"], "transcribe");
  EXPECT_EQ(verbose["language"], "unknown");
  EXPECT_EQ(verbose["duration"], 2.5);
  EXPECT_EQ(verbose["segments"][0], (nlohmann::json{{"id", 0}, {"start", 0.0}, {"end", 2.5}, {"text", "Hello"}}));
  for (const char* name : {"text", "json", "verbose_json", "srt", "vtt"}) EXPECT_TRUE(engine::parse_transcript_format(name)) << name;
  EXPECT_FALSE(engine::parse_transcript_format("xml"));
}

TEST(TranscriptionRequest, FixedInstructionWithHintsAndThinkingOff) {
  const engine::TranscriptionHints hints{engine::TranscriptTask::transcribe, "fr", "Names: Gaëlle, Brest."};
  const chat::ChatRequest request = engine::transcription_request(hints);
  EXPECT_FALSE(request.enable_thinking);
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, "system");
  const std::string& instruction = std::get<std::string>(request.messages[0].content);
  EXPECT_NE(instruction.find("verbatim"), std::string::npos);
  EXPECT_NE(instruction.find("Do not answer questions"), std::string::npos);
  EXPECT_NE(instruction.find("fr."), std::string::npos);
  EXPECT_NE(instruction.find("Gaëlle, Brest."), std::string::npos);
  const auto& parts = std::get<std::vector<chat::ContentPart>>(request.messages[1].content);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].type, chat::ContentPart::Type::audio);
  EXPECT_NE(engine::transcription_instruction({engine::TranscriptTask::translate, "", ""}).find("into English"), std::string::npos);
}

httplib::MultipartFormDataMap form(std::initializer_list<std::pair<std::string, std::string>> fields) {
  httplib::MultipartFormDataMap map;
  for (const auto& [name, content] : fields) map.emplace(name, httplib::MultipartFormData{name, content, name == "file" ? "a.wav" : "", ""});
  return map;
}

int refused(const httplib::MultipartFormDataMap& fields, const std::string& message_part) {
  const auto parsed = server::parse_transcription_form(fields, engine::TranscriptTask::transcribe);
  const auto* error = std::get_if<server::HttpError>(&parsed);
  if (!error) return 0;
  EXPECT_NE(error->message.find(message_part), std::string::npos) << error->message;
  return error->status;
}

TEST(TranscriptionForm, FieldsAreReadAndCheckedBeforeAnyModel) {
  const auto parsed = server::parse_transcription_form(
      form({{"file", "RIFF"}, {"model", "m"}, {"language", "de"}, {"prompt", "p"}, {"response_format", "srt"}, {"temperature", "0.4"},
            {"max_tokens", "9"}, {"timestamp_granularities[]", "segment"}}),
      engine::TranscriptTask::translate);
  ASSERT_TRUE(std::holds_alternative<server::TranscriptionForm>(parsed));
  const server::TranscriptionForm& ok = std::get<server::TranscriptionForm>(parsed);
  EXPECT_EQ(ok.model, "m");
  EXPECT_EQ(ok.audio, "RIFF");
  EXPECT_EQ(ok.hints.language, "de");
  EXPECT_EQ(ok.hints.task, engine::TranscriptTask::translate);
  EXPECT_EQ(ok.format, engine::TranscriptFormat::srt);
  EXPECT_FLOAT_EQ(ok.temperature, 0.4f);
  EXPECT_EQ(ok.max_tokens, 9);
  EXPECT_FALSE(ok.stream);

  EXPECT_EQ(refused(form({{"model", "m"}}), "file is required"), 400);
  EXPECT_EQ(refused(form({{"file", ""}, {"model", "m"}}), "audio file is empty"), 400);
  EXPECT_EQ(refused(form({{"file", std::string(server::kMaxAudioUploadBytes + 1, 'x')}, {"model", "m"}}), "limit"), 413);
  EXPECT_EQ(refused(form({{"file", "x"}}), "model is required"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"response_format", "xml"}}), "response_format"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"temperature", "hot"}}), "temperature"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"temperature", "3"}}), "temperature"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"stream", "yes"}}), "stream"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"stream", "true"}, {"response_format", "vtt"}}), "json or text"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"max_tokens", "-1"}}), "max_tokens"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"timestamp_granularities[]", "word"}}), "segment"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"language", std::string(100, 'a')}}), "language"), 400);
  EXPECT_EQ(refused(form({{"file", "x"}, {"model", "m"}, {"response_format", std::string(1000, 'z')}}), "…"), 400);
}

}  // namespace
}  // namespace hearth
