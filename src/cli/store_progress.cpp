#include "cli/store_progress.h"

#include <unistd.h>

#include <cstdio>

#include "cli/human_size.h"

namespace hearth::cli {

StoreProgressPrinter::StoreProgressPrinter() : terminal_(::isatty(STDERR_FILENO) == 1) {}

bool StoreProgressPrinter::operator()(const store::Progress& step) {
  const bool new_step = step.status != status_;
  if (new_step) {
    finish();
    status_ = step.status;
    last_decile_ = 0;
  }
  std::string line = step.status;
  uint64_t decile = 0;
  if (step.total > 0) {
    const uint64_t percent = step.completed >= step.total ? 100 : step.completed * 100 / step.total;
    decile = percent / 10;
    char counts[96];
    std::snprintf(counts, sizeof counts, " %3llu%% %s/%s", static_cast<unsigned long long>(percent),
                  human_size(step.completed).c_str(), human_size(step.total).c_str());
    line.append(counts);
  }
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    std::fflush(stderr);
    line_open_ = true;
  } else if (new_step || decile > last_decile_) {
    std::fprintf(stderr, "%s\n", line.c_str());
    last_decile_ = decile;
  }
  return true;
}

void StoreProgressPrinter::finish() {
  if (line_open_) std::fprintf(stderr, "\n");
  line_open_ = false;
}

}  // namespace hearth::cli
