// `hearth run MODEL [PROMPT]`: a one-shot answer, or an interactive chat when no prompt is given and stdin
// is a terminal (Ollama's `ollama run`). Piped stdin becomes the prompt (before PROMPT when both are given).
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/media_files.h"
#include "cli/run_repl.h"
#include "cli/run_session.h"
#include "cli/thread_flag.h"
#include "engine/media_input.h"

namespace hearth::cli {
namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> prompt;
  RunSettings settings;
  std::string think;
  int threads = 0;
  bool interactive = false;
  std::string mmproj;
  std::vector<std::string> images, audio;
};

// Reads attached files; each must be the kind its flag says.
Result<std::vector<engine::MediaItem>> read_attachments(const RunArgs& args) {
  std::vector<engine::MediaItem> items;
  for (const auto& [paths, kind] : {std::pair{&args.images, engine::MediaKind::image}, std::pair{&args.audio, engine::MediaKind::audio}}) {
    for (const std::string& path : *paths) {
      Result<engine::MediaItem> item = read_media_file(path);
      if (!item) return make_error(item.error());
      if (item->kind != kind) {
        return make_error(path, ": not ", kind == engine::MediaKind::image ? "an image (PNG, JPEG, GIF, WebP, BMP)" : "an audio file (WAV, MP3, FLAC, OGG)");
      }
      items.push_back(std::move(*item));
    }
  }
  return items;
}

Status apply_think(const std::string& think, RunSettings& settings) {
  if (think.empty()) return Status::success();
  if (think == "false") {
    settings.think = ThinkMode::off;
  } else if (think == "true" || think == "high" || think == "medium" || think == "low") {
    settings.think = ThinkMode::on;  // Gemma 4 has one thinking level: every level turns it on
  } else {
    return make_error("--think: expected true, false, high, medium or low, got '", think, "'");
  }
  return Status::success();
}

int run_run(RunArgs& args) {
  if (Status threads = set_thread_count(args.threads); !threads) return fail(threads.error());
  if (Status think = apply_think(args.think, args.settings); !think) return fail(think.error());
  std::string prompt;
  if (!isatty(STDIN_FILENO) && !args.interactive) prompt.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  for (const std::string& word : args.prompt) prompt += (prompt.empty() ? "" : " ") + word;

  Result<std::vector<engine::MediaItem>> attachments = read_attachments(args);
  if (!attachments) return fail(attachments.error());
  Result<std::unique_ptr<RunSession>> session = RunSession::open(args.model, args.settings, args.mmproj);
  if (!session) return fail(session.error());
  if (prompt.empty() && (isatty(STDIN_FILENO) || args.interactive)) return run_repl(**session);
  if (prompt.empty()) return fail("run: the prompt is empty");
  if (Status asked = (*session)->ask(prompt, std::move(*attachments)); !asked) return fail(asked.error());
  return 0;
}

}  // namespace

Command register_run(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("run", "Chat with a model, or answer one prompt");
  auto args = std::make_shared<RunArgs>();
  engine::SamplingOptions& s = args->settings.sampling;
  cmd->add_option("model", args->model, "GGUF model file")->required();
  cmd->add_option("prompt", args->prompt, "Prompt (omit for an interactive chat)");
  cmd->add_option("--temperature", s.temperature, "Sampling temperature (0 = greedy)");
  cmd->add_option("--top-k", s.top_k, "Keep the K most likely tokens");
  cmd->add_option("--top-p", s.top_p, "Nucleus sampling threshold");
  cmd->add_option("--min-p", s.min_p, "Drop tokens below this fraction of the best one's probability");
  cmd->add_option("--seed", s.seed, "Random seed (-1: random)");
  cmd->add_option("--num-predict", s.num_predict, "Most tokens to generate (-1: until the model stops)");
  cmd->add_option("--num-ctx", args->settings.num_ctx, "Context size in tokens")->check(CLI::PositiveNumber);
  cmd->add_option("--think", args->think, "Thinking: true, false (or high, medium, low)")->expected(0, 1)->default_str("true");
  cmd->add_option("--think-budget", args->settings.think_budget, "Thinking tokens before the thinking is closed (-1: no limit)")
      ->check(CLI::Range(-1, 1 << 30));
  cmd->add_flag("--hidethinking", args->settings.hide_thinking, "Think, but do not print the thinking");
  cmd->add_option("--system", args->settings.system, "System message");
  cmd->add_flag("--verbose", args->settings.verbose, "Print timings after each reply");
  cmd->add_option("--image", args->images, "Image file to attach to the prompt (repeatable)")->allow_extra_args(false);
  cmd->add_option("--audio", args->audio, "Audio file to attach to the prompt (repeatable)")->allow_extra_args(false);
  cmd->add_option("--mmproj", args->mmproj, "Projector GGUF with the image / audio encoders");
  cmd->add_option("--image-max-tokens", args->settings.image_max_tokens, "Most soft tokens per image (70, 140, 280, 560, 1120; default 560)")
      ->check(CLI::IsMember({70, 140, 280, 560, 1120}));
  cmd->add_flag("--interactive", args->interactive, "Chat line by line from stdin even when it is not a terminal");
  add_thread_flag(*cmd, args->threads);
  return {cmd, [args] { return run_run(*args); }};
}

}  // namespace hearth::cli
