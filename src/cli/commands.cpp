#include "cli/commands.h"

namespace hearth::cli {

std::vector<Command> register_all_commands(CLI::App& app) {
  std::vector<Command> commands;
  commands.push_back(register_run(app));
  commands.push_back(register_transcribe(app));
  commands.push_back(register_serve(app));
  commands.push_back(register_ps(app));
  commands.push_back(register_stop(app));
  commands.push_back(register_show(app));
  commands.push_back(register_quantize(app));
  commands.push_back(register_synth(app));
  commands.push_back(register_logits(app));
  commands.push_back(register_encode(app));
  commands.push_back(register_tokenize(app));
  commands.push_back(register_perplexity(app));
  commands.push_back(register_bench(app));
  commands.push_back(register_list(app));
  commands.push_back(register_rm(app));
  commands.push_back(register_cp(app));
  commands.push_back(register_create(app));
  commands.push_back(register_pull(app));
  return commands;
}

}  // namespace hearth::cli
