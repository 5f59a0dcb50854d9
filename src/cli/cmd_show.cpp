// `hearth show MODEL`: what a GGUF file holds, as text (like `ollama show`) or JSON.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/human_size.h"
#include "cli/show_report.h"
#include "engine/memory_estimate.h"
#include "gguf/gguf_file.h"
#include "model/model_info.h"
#include "model/tensor_values.h"
#include "models/text_model.h"

namespace hearth::cli {
namespace {

struct ShowArgs {
  std::string model;
  bool json = false;
  ShowOptions options;
  std::optional<std::string> tensor;
  int64_t values = 16;
  int64_t ctx = 0;  // > 0: estimate the memory for this context
  int64_t parallel = 1;
  std::string kv = "f16";
};

// The memory a run with --ctx / --parallel / --kv would take; only for architectures hearth runs.
Result<nlohmann::json> memory_estimate(const ShowArgs& args) {
  Result<std::unique_ptr<models::TextModel>> model = models::load_text_model(args.model);
  if (!model) return make_error(model.error());
  engine::SchedulerOptions options;
  options.n_ctx = args.ctx;
  options.n_parallel = args.parallel;
  options.kv_format = args.kv == "f32" ? cpu::KvFormat::f32 : cpu::KvFormat::f16;
  const engine::MemoryEstimate estimate = engine::estimate_memory(**model, options);
  return nlohmann::json{{"context", args.ctx},  {"parallel", args.parallel}, {"kv_type", args.kv},
                        {"weights_bytes", estimate.weights}, {"kv_cache_bytes", estimate.kv_cache},
                        {"working_bytes", estimate.working}, {"total_bytes", estimate.total()}};
}

void print_memory_text(const nlohmann::json& memory) {
  std::printf("\n  Memory (context %lld x %lld sequence(s), %s KV cache)\n", memory["context"].get<long long>(),
              memory["parallel"].get<long long>(), memory["kv_type"].get<std::string>().c_str());
  std::printf("    %-22s %s\n", "weights (mapped)", human_size(memory["weights_bytes"]).c_str());
  std::printf("    %-22s %s\n", "KV cache", human_size(memory["kv_cache_bytes"]).c_str());
  std::printf("    %-22s %s\n", "working buffers (est.)", human_size(memory["working_bytes"]).c_str());
  std::printf("    %-22s %s\n", "total", human_size(memory["total_bytes"]).c_str());
}

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
  std::optional<nlohmann::json> memory;
  if (args.ctx > 0) {
    Result<nlohmann::json> estimate = memory_estimate(args);
    if (!estimate) return fail("--ctx: cannot estimate memory: " + estimate.error());
    memory = std::move(*estimate);
  }
  if (args.json) {
    nlohmann::json document = show_json(file, info, args.options);
    if (memory) document["memory"] = *memory;
    print_json(document);
  } else {
    print_show_text(stdout, file, info, args.options);
    if (memory) print_memory_text(*memory);
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
  show->add_option("--ctx", args->ctx, "Estimate the memory a run with this context takes")->check(CLI::PositiveNumber);
  show->add_option("--parallel", args->parallel, "With --ctx: parallel sequences")->check(CLI::Range(1, 64))->capture_default_str();
  show->add_option("--kv", args->kv, "With --ctx: KV cache type")->check(CLI::IsMember({"f16", "f32"}))->capture_default_str();
  return {show, [args] { return run_show(*args); }};
}

}  // namespace hearth::cli
