#include "cli/commands.h"

namespace hearth::cli {

std::vector<Command> register_all_commands(CLI::App& app) {
  std::vector<Command> commands;
  commands.push_back(register_show(app));
  commands.push_back(register_quantize(app));
  commands.push_back(register_synth(app));
  commands.push_back(register_logits(app));
  commands.push_back(register_encode(app));
  return commands;
}

}  // namespace hearth::cli
