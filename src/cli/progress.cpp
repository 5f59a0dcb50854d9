#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace hearth::cli {

namespace {
constexpr size_t kBarWidth = 30;
constexpr int kLabelWidth = 36;
}  // namespace

Progress::Progress() : terminal_(::isatty(STDERR_FILENO) == 1) {}

void Progress::step(size_t done, size_t total, const std::string& label, const std::string& line) {
  if (!terminal_) {
    std::fprintf(stderr, "%s\n", line.c_str());
    return;
  }
  const size_t filled = total == 0 ? kBarWidth : done * kBarWidth / total;
  const std::string bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
  // \033[K clears what a longer previous label left behind.
  std::fprintf(stderr, "\r[%s] %zu/%zu %-*.*s\033[K", bar.c_str(), done, total, kLabelWidth, kLabelWidth, label.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace hearth::cli
