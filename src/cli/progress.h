#pragma once
// Progress on stderr: a redrawn bar when stderr is a terminal, one plain line per step otherwise (logs, CI).
#include <cstddef>
#include <string>

namespace hearth::cli {

class Progress {
 public:
  Progress();  // decides the style from whether stderr is a terminal
  // `label` names the step in the bar; `line` is what a non-terminal gets.
  void step(size_t done, size_t total, const std::string& label, const std::string& line);
  void finish();  // ends the bar's line, so later output starts on a fresh one

 private:
  bool terminal_;
  bool drawn_ = false;
};

}  // namespace hearth::cli
