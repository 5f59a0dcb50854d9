#include "engine/transcript_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hearth::engine {
namespace {

std::string timestamp(double seconds, char millisecond_separator) {
  const auto total_ms = static_cast<int64_t>(std::llround(std::max(seconds, 0.0) * 1000.0));
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld%c%03lld", static_cast<long long>(total_ms / 3600000),
                static_cast<long long>(total_ms / 60000 % 60), static_cast<long long>(total_ms / 1000 % 60),
                millisecond_separator, static_cast<long long>(total_ms % 1000));
  return text;
}

// A blank line ends a cue in both formats, and WebVTT reserves "-->", so neither may appear in cue text.
std::string cue_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n' && (out.empty() || out.back() == '\n')) continue;
    out += c;
    if (out.ends_with("-->")) out.replace(out.size() - 3, 3, "->");
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string cues(const std::vector<TranscriptSegment>& segments, bool numbered, char millisecond_separator) {
  std::string out;
  int64_t number = 0;
  for (const TranscriptSegment& segment : segments) {
    const std::string text = cue_text(segment.text);
    if (text.empty()) continue;
    if (numbered) out += std::to_string(++number) + "\n";
    out += timestamp(segment.start_seconds, millisecond_separator) + " --> " + timestamp(segment.end_seconds, millisecond_separator) + "\n";
    out += text + "\n\n";
  }
  return out;
}

}  // namespace

std::optional<TranscriptFormat> parse_transcript_format(std::string_view name) {
  if (name == "text") return TranscriptFormat::text;
  if (name == "json") return TranscriptFormat::json;
  if (name == "verbose_json") return TranscriptFormat::verbose_json;
  if (name == "srt") return TranscriptFormat::srt;
  if (name == "vtt") return TranscriptFormat::vtt;
  return std::nullopt;
}

nlohmann::json transcript_usage_json(const Transcript& transcript) {
  return {{"type", "tokens"},
          {"input_tokens", transcript.input_tokens},
          {"output_tokens", transcript.output_tokens},
          {"total_tokens", transcript.input_tokens + transcript.output_tokens}};
}

nlohmann::json transcript_json(const Transcript& transcript, bool verbose) {
  if (!verbose) return {{"text", transcript.text}, {"usage", transcript_usage_json(transcript)}};
  nlohmann::json segments = nlohmann::json::array();
  for (const TranscriptSegment& segment : transcript.segments) {
    segments.push_back({{"id", segment.id}, {"start", segment.start_seconds}, {"end", segment.end_seconds}, {"text", segment.text}});
  }
  return {{"task", transcript.task == TranscriptTask::translate ? "translate" : "transcribe"},
          {"language", transcript.language.empty() ? "unknown" : transcript.language},
          {"duration", transcript.duration_seconds},
          {"text", transcript.text},
          {"segments", std::move(segments)},
          {"usage", transcript_usage_json(transcript)}};
}

std::string format_srt(const std::vector<TranscriptSegment>& segments) { return cues(segments, true, ','); }

std::string format_vtt(const std::vector<TranscriptSegment>& segments) { return "WEBVTT\n\n" + cues(segments, false, '.'); }

}  // namespace hearth::engine
