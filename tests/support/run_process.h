#pragma once
#include <string>
#include <vector>

namespace hearth::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when the process was killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv[0]` (searched in PATH) with the arguments, stdin closed, and captures stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv);
// The same with `input` as the child's stdin (a file, so the child sees EOF after it).
ProcessResult run_process_with_input(const std::vector<std::string>& argv, const std::string& input);

}  // namespace hearth::test
