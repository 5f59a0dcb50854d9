#pragma once
// Prints the progress steps of `pull` and `create` (store::Progress) on stderr: on a terminal one redrawn
// line per step with a percentage and byte counts, otherwise a line per step and per 10% of a transfer.
#include <cstdint>
#include <string>

#include "store/progress.h"

namespace hearth::cli {

class StoreProgressPrinter {
 public:
  StoreProgressPrinter();
  bool operator()(const store::Progress& step);  // always continues
  void finish();                                  // ends a redrawn line

 private:
  bool terminal_;
  std::string status_;
  bool line_open_ = false;
  uint64_t last_decile_ = 0;
};

}  // namespace hearth::cli
