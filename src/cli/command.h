#pragma once
// Each `hearth` subcommand lives in its own cmd_*.cpp file and registers itself through one of these
// functions; main() runs the one that was parsed.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace hearth::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the process exit status
};

// Prints "hearth: error: <message>" on stderr and returns exit status 1.
int fail(const std::string& message);

}  // namespace hearth::cli
