#pragma once
// Stop strings over streamed text (spec/sampling.md §5). Text arrives piece by piece (one token's bytes at a
// time); the matcher releases only text that can no longer turn into a stop string or split a UTF-8
// character, and truncates the output where the earliest stop string begins.
//
// Differences from llama-server, both toward sending sooner and never later: it holds back only the tail
// that could begin a stop string (llama-server holds the whole unsent text), and it searches all unsent
// text for a match rather than only the part overlapping the newest piece (which can miss a match that
// arrived while an incomplete UTF-8 character was being held).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::engine {

// Length of the incomplete UTF-8 character at the end of `text` (0 when it ends on a character boundary).
// Looks back at most 3 bytes for a lead byte, as llama-server's validate_utf8 does; invalid bytes count as
// complete so they are never held forever.
size_t incomplete_utf8_suffix_length(std::string_view text);

class StopMatcher {
 public:
  // Empty strings are ignored.
  explicit StopMatcher(std::vector<std::string> stop_strings);

  struct Output {
    std::string text;      // safe to send now
    bool stopped = false;  // a stop string matched: `text` ends just before it; generation should end
  };

  // Adds the next piece. After a stop, further pieces are ignored.
  Output push(std::string_view piece);

  // Generation ended for another reason (end of generation token, length): returns whatever is still held,
  // including an incomplete UTF-8 character's bytes, which the caller's JSON encoder must replace.
  std::string finish();

 private:
  size_t find_earliest_stop() const;
  size_t longest_stop_prefix_at_end() const;

  std::vector<std::string> stop_strings_;
  std::string pending_;
  bool stopped_ = false;
};

}  // namespace hearth::engine
