#include <cstdio>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"

namespace hearth::cli {

int fail(const std::string& message) {
  std::fprintf(stderr, "hearth: error: %s\n", message.c_str());
  return 1;
}

}  // namespace hearth::cli

int main(int argc, char** argv) {
  CLI::App app{"hearth: run open-weight models locally from GGUF files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hearth 0.1.0");

  std::vector<hearth::cli::Command> commands = hearth::cli::register_all_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return 0;
}
