// `hearth transcribe MODEL [FILE…]`: speech to text with an audio model (spec/api.md §6.1). Each file (or
// the audio piped on stdin) is cut into windows that are transcribed one after another at temperature 0 with
// thinking off; plain text streams to stdout as it is generated, the other formats print at the end.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/run_session.h"
#include "cli/thread_flag.h"
#include "engine/transcript_format.h"
#include "media/audio_decode.h"

namespace hearth::cli {
namespace {

constexpr int64_t kAudioTokensPerSecond = 25;  // one soft token per 40 ms (spec/gemma4.md §6.7)
constexpr int64_t kInstructionTokens = 512;    // the instruction, the hints and the turn markers, with room

struct TranscribeArgs {
  std::string model;
  std::vector<std::string> files;
  std::string language, prompt, format = "text", mmproj;
  double chunk_seconds = engine::kDefaultWindowSeconds;
  int32_t max_tokens = 0;
  bool translate = false;
  int threads = 0;
};

// One file's windows: files stream through the decoder, piped audio is read whole.
Result<std::vector<engine::AudioWindow>> read_windows(const std::string& file, double window_seconds) {
  const double max_seconds = engine::MediaLimits{}.max_audio_seconds;
  if (file.empty()) {
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    Result<std::vector<engine::AudioWindow>> windows = engine::audio_windows(bytes, window_seconds, max_seconds);
    if (!windows) return make_error("stdin: ", windows.error());
    return windows;
  }
  media::AudioDecodeOptions options;
  options.max_seconds = max_seconds;
  Result<media::DecodedAudio> audio = media::decode_audio_file(file, options);
  if (!audio) return std::move(audio).take_error();
  return engine::split_into_windows(audio->samples, window_seconds);
}

class Transcriber {
 public:
  Transcriber(RunBackend& backend, RunSettings& settings, const TranscribeArgs& args, engine::TranscriptionHints hints)
      : backend_(backend), settings_(settings), args_(args), hints_(std::move(hints)) {}

  // Transcribes one file's windows, printing plain text as it comes.
  Result<engine::Transcript> transcribe(const std::vector<engine::AudioWindow>& windows, bool stream_text) {
    static const std::atomic<bool> never_interrupted{false};
    engine::TranscriptBuilder builder(hints_);
    for (const engine::AudioWindow& window : windows) {
      const double seconds = window.end_seconds - window.start_seconds;
      settings_.sampling.num_predict = args_.max_tokens > 0 ? args_.max_tokens : engine::max_tokens_for_window(seconds);
      const auto on_event = [&](const chat::ChatEvent& event) {
        if (event.type != chat::ChatEvent::Type::content) return;
        const std::string shown = builder.feed(event.text);
        if (!stream_text || shown.empty()) return;
        std::fputs(shown.c_str(), stdout);
        std::fflush(stdout);
      };
      Result<ReplyStats> stats = backend_.reply(engine::transcription_request(hints_), std::span(&window.clip, 1), settings_, on_event,
                                                never_interrupted);
      if (!stats) return make_error("window ", window.start_seconds, " s to ", window.end_seconds, " s: ", stats.error());
      builder.end_window(window, stats->result.prompt_tokens, stats->result.generated_tokens);
    }
    return builder.transcript();
  }

 private:
  RunBackend& backend_;
  RunSettings& settings_;
  const TranscribeArgs& args_;
  engine::TranscriptionHints hints_;
};

std::string json_line(const nlohmann::json& value) { return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"; }

int run_transcribe(const TranscribeArgs& args) {
  if (Status threads = set_thread_count(args.threads); !threads) return fail(threads.error());
  const std::optional<engine::TranscriptFormat> format = engine::parse_transcript_format(args.format);
  if (!format || *format == engine::TranscriptFormat::verbose_json) return fail("--format: expected text, json, srt or vtt, got '" + args.format + "'");
  const bool subtitles = *format == engine::TranscriptFormat::srt || *format == engine::TranscriptFormat::vtt;
  if (subtitles && args.files.size() > 1) return fail("--format " + args.format + " takes one audio file");
  if (args.files.empty() && isatty(STDIN_FILENO)) return fail("transcribe: give audio files, or pipe audio on stdin");
  if (args.chunk_seconds < engine::kMinWindowSeconds || args.chunk_seconds > engine::kMaxWindowSeconds) {
    return fail("--chunk-seconds must be between " + std::to_string(engine::kMinWindowSeconds) + " and " +
                std::to_string(engine::kMaxWindowSeconds));
  }

  RunSettings settings;
  settings.think = ThinkMode::off;
  settings.sampling.temperature = 0.0f;
  const int32_t max_tokens = args.max_tokens > 0 ? args.max_tokens : engine::max_tokens_for_window(args.chunk_seconds);
  settings.num_ctx = std::llround(args.chunk_seconds * kAudioTokensPerSecond) + max_tokens + kInstructionTokens;
  Result<OpenedBackend> opened = open_run_backend(args.model, settings, args.mmproj);
  if (!opened) return fail(opened.error());

  engine::TranscriptionHints hints{args.translate ? engine::TranscriptTask::translate : engine::TranscriptTask::transcribe, args.language,
                                   args.prompt};
  Transcriber transcriber(*opened->backend, settings, args, hints);
  const std::vector<std::string> inputs = args.files.empty() ? std::vector<std::string>{""} : args.files;
  for (const std::string& input : inputs) {
    Result<std::vector<engine::AudioWindow>> windows = read_windows(input, args.chunk_seconds);
    if (!windows) return fail(windows.error());
    const bool stream_text = *format == engine::TranscriptFormat::text;
    Result<engine::Transcript> transcript = transcriber.transcribe(*windows, stream_text);
    if (stream_text) std::fputs("\n", stdout);
    if (!transcript) return fail((input.empty() ? "stdin" : input) + ": " + transcript.error());
    if (*format == engine::TranscriptFormat::json) std::fputs(json_line(engine::transcript_json(*transcript, true)).c_str(), stdout);
    if (*format == engine::TranscriptFormat::srt) std::fputs(engine::format_srt(transcript->segments).c_str(), stdout);
    if (*format == engine::TranscriptFormat::vtt) std::fputs(engine::format_vtt(transcript->segments).c_str(), stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

Command register_transcribe(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("transcribe", "Transcribe speech in audio files (or audio piped on stdin) to text");
  auto args = std::make_shared<TranscribeArgs>();
  cmd->add_option("model", args->model, "Model with an audio encoder: a name, or a GGUF file (with --mmproj)")->required();
  cmd->add_option("files", args->files, "Audio files (WAV, MP3, FLAC, OGG); none: read the audio from stdin");
  cmd->add_option("--language", args->language, "Language of the speech (ISO-639-1 code or name), as a hint");
  cmd->add_option("--prompt", args->prompt, "Context for the transcript: topic, names and terms with their spelling");
  cmd->add_option("--format", args->format, "Output: text (streamed), json (with segments), srt or vtt")->capture_default_str();
  cmd->add_option("--chunk-seconds", args->chunk_seconds, "Length of the windows the audio is transcribed in")->capture_default_str();
  cmd->add_option("--max-tokens", args->max_tokens, "Most tokens per window (default: about 15 per second of audio)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--translate", args->translate, "Translate the speech into English instead");
  cmd->add_option("--mmproj", args->mmproj, "Projector GGUF with the audio encoder");
  add_thread_flag(*cmd, args->threads);
  return {cmd, [args] { return run_transcribe(*args); }};
}

}  // namespace hearth::cli
