// `hearth pull NAME|URL`: downloads a model from an Ollama-compatible registry, or a GGUF file from a URL,
// into hearth's store.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/store_progress.h"
#include "store/model_store.h"
#include "store/pull.h"

namespace hearth::cli {
namespace {

struct PullArgs {
  std::string model;
  bool insecure = false;
  std::string name;
};

int run_pull(const PullArgs& args) {
  store::ModelStore models(store::StoreConfig::from_environment());
  StoreProgressPrinter printer;
  store::PullOptions options;
  options.insecure = args.insecure;
  options.name = args.name;
  options.progress = [&](const store::Progress& step) { return printer(step); };
  Result<std::string> pulled = store::pull(models, args.model, options);
  printer.finish();
  if (!pulled.ok()) return fail(pulled.error());
  return 0;
}

}  // namespace

Command register_pull(CLI::App& app) {
  auto args = std::make_shared<PullArgs>();
  CLI::App* pull = app.add_subcommand("pull", "Download a model from a registry, or a GGUF file from a URL");
  pull->add_option("MODEL", args->model,
                   "Model name (gemma4:e2b, host/namespace/model:tag) or http(s) URL of a GGUF file")
      ->required();
  pull->add_flag("--insecure", args->insecure, "Allow plain http to hosts other than this machine");
  pull->add_option("--name", args->name, "For a URL: the name to store the model under (default: the file name)");
  return {pull, [args] { return run_pull(*args); }};
}

}  // namespace hearth::cli
