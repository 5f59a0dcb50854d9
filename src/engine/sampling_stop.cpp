#include "engine/sampling_stop.h"

#include <algorithm>
#include <utility>

namespace hearth::engine {
namespace {

// Total length of the UTF-8 character a lead byte starts; 1 for ASCII and for bytes that cannot lead.
size_t utf8_sequence_length(unsigned char lead) {
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

bool is_continuation_byte(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

size_t incomplete_utf8_suffix_length(std::string_view text) {
  const size_t look_back = std::min<size_t>(text.size(), 3);
  for (size_t back = 1; back <= look_back; ++back) {
    const auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if (is_continuation_byte(byte)) continue;
    return utf8_sequence_length(byte) > back ? back : 0;
  }
  return 0;
}

StopMatcher::StopMatcher(std::vector<std::string> stop_strings) : stop_strings_(std::move(stop_strings)) {
  std::erase_if(stop_strings_, [](const std::string& stop) { return stop.empty(); });
}

StopMatcher::Output StopMatcher::push(std::string_view piece) {
  Output output;
  if (stopped_) return output;
  pending_.append(piece);

  const size_t stop_at = find_earliest_stop();
  if (stop_at != std::string::npos) {
    output.text = pending_.substr(0, stop_at);
    output.stopped = true;
    stopped_ = true;
    pending_.clear();
    return output;
  }
  const size_t held = std::max(incomplete_utf8_suffix_length(pending_), longest_stop_prefix_at_end());
  const size_t release = pending_.size() - held;
  output.text = pending_.substr(0, release);
  pending_.erase(0, release);
  return output;
}

std::string StopMatcher::finish() {
  std::string rest = std::move(pending_);
  pending_.clear();
  return rest;
}

size_t StopMatcher::find_earliest_stop() const {
  size_t earliest = std::string::npos;
  for (const std::string& stop : stop_strings_) earliest = std::min(earliest, pending_.find(stop));
  return earliest;
}

size_t StopMatcher::longest_stop_prefix_at_end() const {
  const std::string_view text = pending_;
  size_t longest = 0;
  for (const std::string_view stop : stop_strings_) {
    // A whole stop string at the end would already have matched, so only proper prefixes are tried.
    for (size_t length = std::min(text.size(), stop.size() - 1); length > longest; --length) {
      if (text.ends_with(stop.substr(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

}  // namespace hearth::engine
