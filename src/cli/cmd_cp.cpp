// `hearth cp SRC DST`: copies a model (from hearth's or Ollama's store) to a new name in hearth's store.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "store/model_store.h"

namespace hearth::cli {
namespace {

struct CopyArgs {
  std::string source;
  std::string destination;
};

int run_cp(const CopyArgs& args) {
  store::ModelStore models(store::StoreConfig::from_environment());
  Result<std::string> copied = models.copy(args.source, args.destination);
  if (!copied.ok()) return fail(copied.error());
  std::printf("copied '%s' to '%s'\n", args.source.c_str(), args.destination.c_str());
  return 0;
}

}  // namespace

Command register_cp(CLI::App& app) {
  auto args = std::make_shared<CopyArgs>();
  CLI::App* cp = app.add_subcommand("cp", "Copy a model to a new name in hearth's store");
  cp->add_option("SOURCE", args->source, "Existing model")->required();
  cp->add_option("DESTINATION", args->destination, "New name")->required();
  return {cp, [args] { return run_cp(*args); }};
}

}  // namespace hearth::cli
