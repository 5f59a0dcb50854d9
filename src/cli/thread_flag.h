#pragma once
// `-t/--threads N` for the commands that run a model: the process-wide pool reads HEARTH_NUM_THREADS when
// it is first used, so the flag is applied before any model is loaded.
#include <CLI/CLI.hpp>

#include "core/result.h"

namespace hearth::cli {

void add_thread_flag(CLI::App& command, int& threads);
// 0 keeps the default (HEARTH_NUM_THREADS, else one thread per core).
Status set_thread_count(int threads);

}  // namespace hearth::cli
