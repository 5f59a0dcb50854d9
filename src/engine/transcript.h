#pragma once
// A transcript built window by window while it streams: each window's generated text without its leading
// and trailing white space, one space between windows, and one segment per window with its times.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/transcription.h"

namespace hearth::engine {

struct TranscriptSegment {
  int64_t id = 0;
  double start_seconds = 0.0;
  double end_seconds = 0.0;
  std::string text;
};

struct Transcript {
  TranscriptTask task = TranscriptTask::transcribe;
  std::string language;  // the caller's hint; empty when none was given
  double duration_seconds = 0.0;
  std::string text;
  std::vector<TranscriptSegment> segments;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
};

class TranscriptBuilder {
 public:
  explicit TranscriptBuilder(const TranscriptionHints& hints);

  // Text generated for the current window; returns what may be shown now. White space is held back until
  // text follows it, so the pieces returned add up to exactly the final transcript.
  std::string feed(std::string_view text);
  // Ends the current window with its times and token counts.
  void end_window(const AudioWindow& window, int64_t input_tokens, int64_t output_tokens);
  const Transcript& transcript() const { return transcript_; }

 private:
  Transcript transcript_;
  std::string window_text_;       // shown so far for the current window
  std::string held_white_space_;  // of the current window, not shown yet
};

}  // namespace hearth::engine
