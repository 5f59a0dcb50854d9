#include "cli/commands.h"

namespace hearth::cli {

std::vector<Command> register_all_commands(CLI::App& app) {
  (void)app;
  std::vector<Command> commands;
  return commands;
}

}  // namespace hearth::cli
