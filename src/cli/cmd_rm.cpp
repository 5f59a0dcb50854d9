// `hearth rm NAME...`: deletes models from hearth's store, with the blobs no other model uses.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "store/model_store.h"

namespace hearth::cli {
namespace {

int run_rm(const std::vector<std::string>& names) {
  store::ModelStore models(store::StoreConfig::from_environment());
  for (const std::string& name : names) {
    if (Status removed = models.remove(name); !removed) return fail(removed.error());
    std::printf("deleted '%s'\n", name.c_str());
  }
  return 0;
}

}  // namespace

Command register_rm(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* rm = app.add_subcommand("rm", "Delete models from hearth's store");
  rm->add_option("MODEL", *names, "Models to delete")->required();
  return {rm, [names] { return run_rm(*names); }};
}

}  // namespace hearth::cli
