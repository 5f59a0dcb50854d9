#pragma once
#include <vector>

#include "cli/command.h"

namespace hearth::cli {

// One line per subcommand file; the registration order is the order `hearth --help` lists them.
std::vector<Command> register_all_commands(CLI::App& app);

Command register_run(CLI::App& app);
Command register_serve(CLI::App& app);
Command register_ps(CLI::App& app);
Command register_stop(CLI::App& app);
Command register_show(CLI::App& app);
Command register_quantize(CLI::App& app);
Command register_synth(CLI::App& app);
Command register_logits(CLI::App& app);
Command register_encode(CLI::App& app);
Command register_tokenize(CLI::App& app);
Command register_perplexity(CLI::App& app);
Command register_bench(CLI::App& app);
Command register_list(CLI::App& app);
Command register_rm(CLI::App& app);
Command register_cp(CLI::App& app);
Command register_create(CLI::App& app);
Command register_pull(CLI::App& app);
Command register_transcribe(CLI::App& app);

}  // namespace hearth::cli
