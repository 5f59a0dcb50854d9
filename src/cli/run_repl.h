#pragma once
#include "cli/run_session.h"

namespace hearth::cli {

// The interactive loop of `hearth run`: Ollama's REPL commands (/set, /show, /clear, /bye, /?), """
// multi-line input, line history when stdin is a terminal, and image / audio files attached by typing their
// paths (cli/prompt_paths.h). Returns the process exit status.
int run_repl(RunSession& session);

}  // namespace hearth::cli
