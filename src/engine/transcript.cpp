#include "engine/transcript.h"

#include <utility>

namespace hearth::engine {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

TranscriptBuilder::TranscriptBuilder(const TranscriptionHints& hints) {
  transcript_.task = hints.task;
  transcript_.language = hints.language;
}

std::string TranscriptBuilder::feed(std::string_view text) {
  std::string shown;
  for (char c : text) {
    if (is_space(c)) {
      if (!window_text_.empty()) held_white_space_ += c;  // a window's leading white space is dropped
      continue;
    }
    if (window_text_.empty() && !transcript_.text.empty()) shown += ' ';
    shown += held_white_space_;
    window_text_ += held_white_space_;
    held_white_space_.clear();
    shown += c;
    window_text_ += c;
  }
  transcript_.text += shown;
  return shown;
}

void TranscriptBuilder::end_window(const AudioWindow& window, int64_t input_tokens, int64_t output_tokens) {
  held_white_space_.clear();
  const auto id = static_cast<int64_t>(transcript_.segments.size());
  transcript_.segments.push_back({id, window.start_seconds, window.end_seconds, std::exchange(window_text_, {})});
  transcript_.duration_seconds = window.end_seconds;
  transcript_.input_tokens += input_tokens;
  transcript_.output_tokens += output_tokens;
}

}  // namespace hearth::engine
