#pragma once
// The forms a finished transcript is delivered in (spec/api.md §3.5 response_format, `hearth
// transcribe --format`): plain text, OpenAI's json and verbose_json, SRT and WebVTT subtitles with one cue
// per window of audio.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/transcript.h"

namespace hearth::engine {

enum class TranscriptFormat { text, json, verbose_json, srt, vtt };

std::optional<TranscriptFormat> parse_transcript_format(std::string_view name);

// {"type":"tokens", input_tokens, output_tokens, total_tokens}
nlohmann::json transcript_usage_json(const Transcript& transcript);
// json: {text, usage}; verbose_json: {task, language, duration, text, segments[{id, start, end, text}], usage}.
nlohmann::json transcript_json(const Transcript& transcript, bool verbose);
// Numbered cues "HH:MM:SS,mmm --> HH:MM:SS,mmm"; windows without text get no cue.
std::string format_srt(const std::vector<TranscriptSegment>& segments);
// "WEBVTT" and cues "HH:MM:SS.mmm --> HH:MM:SS.mmm".
std::string format_vtt(const std::vector<TranscriptSegment>& segments);

}  // namespace hearth::engine
