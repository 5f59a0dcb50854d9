// `hearth create NAME -f Modelfile` / `hearth create NAME --from model.gguf`: adds a model to hearth's store.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/store_progress.h"
#include "server/request_options.h"
#include "store/model_store.h"
#include "store/modelfile.h"
#include "store/store_root.h"

namespace hearth::cli {
namespace {

namespace fs = std::filesystem;

struct CreateArgs {
  std::string name;
  std::string modelfile;
  std::string from;
};

Result<store::ModelSpec> read_spec(const CreateArgs& args, fs::path& base_dir) {
  if (!args.from.empty()) {
    base_dir = fs::current_path();
    store::ModelSpec spec;
    spec.from.push_back({args.from, 0});
    return spec;
  }
  const fs::path path = args.modelfile.empty() ? fs::path("Modelfile") : fs::path(args.modelfile);
  std::error_code error;
  // Anything readable that is not a folder will do, so `-f /dev/stdin` works.
  if (!fs::exists(path, error) || fs::is_directory(path, error)) {
    return make_error("Modelfile ", path.string(), " not found (give one with -f, or a GGUF file with --from)");
  }
  Result<std::string> text = store::read_bounded_file(path, store::kMaxModelfileBytes);
  if (!text.ok()) return std::move(text).take_error();
  base_dir = fs::absolute(path, error).parent_path();
  Result<store::ModelSpec> spec = store::parse_modelfile(*text);
  if (!spec.ok()) return make_error(path.string(), ": ", spec.error());
  return spec;
}

int run_create(const CreateArgs& args) {
  fs::path base_dir;
  Result<store::ModelSpec> spec = read_spec(args, base_dir);
  if (!spec.ok()) return fail(spec.error());
  for (const std::string& warning : spec->warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  if (Result<server::RequestSettings> usable = server::settings_from_options(spec->parameters); !usable) return fail(usable.error());

  store::ModelStore models(store::StoreConfig::from_environment());
  StoreProgressPrinter printer;
  Result<std::string> created =
      models.create(args.name, *spec, base_dir, [&](const store::Progress& step) { return printer(step); });
  printer.finish();
  if (!created.ok()) return fail(created.error());
  return 0;
}

}  // namespace

Command register_create(CLI::App& app) {
  auto args = std::make_shared<CreateArgs>();
  CLI::App* create = app.add_subcommand("create", "Create a model in hearth's store from a Modelfile or a GGUF file");
  create->add_option("NAME", args->name, "Name of the new model (model[:tag], namespace/model:tag)")->required();
  CLI::Option* file = create->add_option("-f,--file", args->modelfile, "Modelfile to read (default: ./Modelfile)");
  create->add_option("--from", args->from, "Create straight from this GGUF file, blob digest or model")->excludes(file);
  return {create, [args] { return run_create(*args); }};
}

}  // namespace hearth::cli
