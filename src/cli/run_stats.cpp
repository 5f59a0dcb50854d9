#include "cli/run_stats.h"

#include <cstdio>
#include <string>

namespace hearth::cli {
namespace {

// Durations as Go's time.Duration prints them, which is what Ollama shows: 1.234567s, 12.3456ms, 45.6µs.
std::string go_duration(double seconds) {
  char text[64];
  if (seconds >= 1.0) {
    std::snprintf(text, sizeof text, "%.6gs", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(text, sizeof text, "%.6gms", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.6gµs", seconds * 1e6);
  }
  return text;
}

double rate(int64_t tokens, double seconds) { return seconds > 0.0 ? static_cast<double>(tokens) / seconds : 0.0; }

}  // namespace

void print_run_stats(const engine::GenerationResult& result, double load_seconds) {
  const int64_t prompt_evaluated = result.prompt_tokens - result.cached_prompt_tokens;
  const double total = load_seconds + result.queue_seconds + result.prompt_seconds + result.generation_seconds;
  std::fprintf(stderr, "total duration:       %s\n", go_duration(total).c_str());
  std::fprintf(stderr, "load duration:        %s\n", go_duration(load_seconds).c_str());
  std::fprintf(stderr, "prompt eval count:    %lld token(s)\n", static_cast<long long>(prompt_evaluated));
  std::fprintf(stderr, "prompt eval duration: %s\n", go_duration(result.prompt_seconds).c_str());
  std::fprintf(stderr, "prompt eval rate:     %.2f tokens/s\n", rate(prompt_evaluated, result.prompt_seconds));
  std::fprintf(stderr, "eval count:           %lld token(s)\n", static_cast<long long>(result.generated_tokens));
  std::fprintf(stderr, "eval duration:        %s\n", go_duration(result.generation_seconds).c_str());
  std::fprintf(stderr, "eval rate:            %.2f tokens/s\n", rate(result.generated_tokens, result.generation_seconds));
}

}  // namespace hearth::cli
