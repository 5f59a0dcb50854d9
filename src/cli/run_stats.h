#pragma once
// Ollama's `--verbose` statistics block (total / load / prompt eval / eval durations, counts and rates).
#include "engine/generation.h"

namespace hearth::cli {

void print_run_stats(const engine::GenerationResult& result, double load_seconds);

}  // namespace hearth::cli
