// `hearth show MODEL`: what a GGUF file holds, as text (like `ollama show`) or JSON.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/show_report.h"
#include "gguf/gguf_file.h"
#include "model/model_info.h"
#include "model/tensor_values.h"

namespace hearth::cli {
namespace {

struct ShowArgs {
  std::string model;
  bool json = false;
  ShowOptions options;
  std::optional<std::string> tensor;
  int64_t values = 16;
};

// Strings from the file may hold invalid UTF-8; replace it rather than fail the whole document.
void print_json(const nlohmann::json& document) {
  std::printf("%s\n", document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

int print_tensor_values(const gguf::GgufFile& file, const ShowArgs& args) {
  const gguf::TensorInfo* tensor = file.find_tensor(*args.tensor);
  if (tensor == nullptr) return fail("tensor '" + *args.tensor + "' not found in " + args.model);
  const Result<std::vector<float>> values = model::read_tensor_values(*tensor, args.values);
  if (!values.ok()) return fail(values.error());
  if (args.json) {
    print_json(*values);
  } else {
    for (float value : *values) std::printf("%.9g\n", value);
  }
  return 0;
}

int run_show(const ShowArgs& args) {
  Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(args.model);
  if (!opened.ok()) return fail(opened.error());
  const gguf::GgufFile& file = **opened;
  if (args.tensor) return print_tensor_values(file, args);

  const model::ModelInfo info = model::describe_model(file);
  if (args.json) {
    print_json(show_json(file, info, args.options));
  } else {
    print_show_text(stdout, file, info, args.options);
  }
  return 0;
}

}  // namespace

Command register_show(CLI::App& app) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* show = app.add_subcommand("show", "Show what a GGUF model holds: architecture, size, quant mix, capabilities");
  show->add_option("MODEL", args->model, "GGUF file (the first shard of a split model)")->required();
  show->add_flag("--json", args->json, "Print JSON with stable keys instead of text");
  show->add_flag("--tensors", args->options.tensors, "Add the tensor table (name, type, shape, bytes, offset)");
  show->add_flag("-v,--verbose", args->options.verbose, "Every metadata key (text), long arrays in full (JSON)");
  CLI::Option* tensor = show->add_option("--tensor", args->tensor, "Print the first values of this tensor instead");
  show->add_option("--values", args->values, "How many values --tensor prints")
      ->default_val(16)
      ->check(CLI::NonNegativeNumber)
      ->needs(tensor);
  return {show, [args] { return run_show(*args); }};
}

}  // namespace hearth::cli
