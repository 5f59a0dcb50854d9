#pragma once
#include <vector>

#include "cli/command.h"

namespace hearth::cli {

// One line per subcommand file; the registration order is the order `hearth --help` lists them.
std::vector<Command> register_all_commands(CLI::App& app);

Command register_show(CLI::App& app);
Command register_quantize(CLI::App& app);
Command register_synth(CLI::App& app);
Command register_logits(CLI::App& app);
Command register_encode(CLI::App& app);

}  // namespace hearth::cli
