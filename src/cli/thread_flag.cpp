#include "cli/thread_flag.h"

#include <cstdlib>
#include <string>

namespace hearth::cli {

void add_thread_flag(CLI::App& command, int& threads) {
  command.add_option("-t,--threads", threads, "Threads (default: one per core)")->check(CLI::Range(1, 1024));
}

Status set_thread_count(int threads) {
  if (threads <= 0) return Status::success();
  if (setenv("HEARTH_NUM_THREADS", std::to_string(threads).c_str(), 1) != 0) return make_error("cannot set the thread count");
  return Status::success();
}

}  // namespace hearth::cli
