#pragma once
// Speech to text as one chat turn per window of audio (spec/api.md §3.5), shared by `hearth transcribe` and
// the /v1/audio/transcriptions route: the fixed instruction with the caller's hints, thinking off, the audio
// cut into consecutive windows that are transcribed one after another, and the text of the windows joined
// into one transcript while it streams (engine/transcript.h).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "chat/chat_types.h"
#include "core/result.h"
#include "engine/media_input.h"

namespace hearth::engine {

enum class TranscriptTask { transcribe, translate };

struct TranscriptionHints {
  TranscriptTask task = TranscriptTask::transcribe;
  std::string language;  // the speech's language (ISO-639-1 code or name); empty: unknown
  std::string prompt;    // context and spellings of names and terms that may occur
};

// Users report Gemma 4 audio to hold up for about 30 s per clip (ollama/ollama#15427).
inline constexpr double kDefaultWindowSeconds = 30.0;
inline constexpr double kMinWindowSeconds = 1.0;
inline constexpr double kMaxWindowSeconds = 600.0;

// The system instruction: verbatim transcription (or translation to English) that does not answer what the
// audio says, with the hints.
std::string transcription_instruction(const TranscriptionHints& hints);

// The turn for one window: the instruction as the system message, then a user message with the audio clip
// and a one-line request. Thinking is off: with it on, Gemma 4 invents transcripts (ollama/ollama#16584).
chat::ChatRequest transcription_request(const TranscriptionHints& hints);

struct AudioWindow {
  double start_seconds = 0.0;
  double end_seconds = 0.0;
  MediaItem clip;  // the window's samples as a WAV file
};

// Consecutive windows of `window_seconds` over 16 kHz mono samples, without overlap; the last one may be
// shorter. `window_seconds` must lie in [kMinWindowSeconds, kMaxWindowSeconds].
Result<std::vector<AudioWindow>> split_into_windows(std::span<const float> pcm16k, double window_seconds);

// Decodes an audio file and splits it; errors say what is wrong with the audio.
Result<std::vector<AudioWindow>> audio_windows(std::span<const uint8_t> file_bytes, double window_seconds, double max_audio_seconds);

// The most tokens a window's transcript may take, so that a model caught in a loop stops: about 15 tokens
// per second of audio (Whisper's 448 per 30 s), at least 32.
int32_t max_tokens_for_window(double seconds);

}  // namespace hearth::engine
