// `hearth quantize IN OUT TYPE`: llama-quantize's presets and per-tensor mix rules, with a verified output.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command.h"
#include "cli/human_size.h"
#include "cli/progress.h"
#include "quantize/presets.h"
#include "quantize/quantize_model.h"

namespace hearth::cli {
namespace {

struct QuantizeArgs {
  std::string input;
  std::string output;
  std::string type;
  bool pure = false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

std::string preset_names() {
  std::string names;
  for (const quantize::QuantPreset& preset : quantize::quant_presets()) {
    if (!names.empty()) names += ", ";
    names += preset.name;
  }
  return names;
}

std::string tensor_line(const quantize::TensorProgress& progress) {
  char line[256];
  const std::string_view from = type_info(progress.from).name;
  const std::string_view to = type_info(progress.to).name;
  std::snprintf(line, sizeof line, "[%4zu/%4zu] %-40.*s %-7.*s -> %-7.*s %10s -> %s", progress.index, progress.count,
                static_cast<int>(progress.name.size()), progress.name.data(), static_cast<int>(from.size()),
                from.data(), static_cast<int>(to.size()), to.data(), human_size(progress.bytes_in).c_str(),
                human_size(progress.bytes_out).c_str());
  return line;
}

int run_quantize(const QuantizeArgs& args) {
  const quantize::QuantPreset* preset = quantize::find_quant_preset(args.type);
  if (preset == nullptr) return fail("unknown quantization type '" + args.type + "' (supported: " + preset_names() + ")");

  Progress progress;
  quantize::QuantizeObserver observer;
  observer.warning = [&](const std::string& message) {
    progress.finish();
    std::fprintf(stderr, "hearth: warning: %s\n", message.c_str());
  };
  observer.tensor_done = [&](const quantize::TensorProgress& tensor) {
    progress.step(tensor.index, tensor.count, std::string(tensor.name), tensor_line(tensor));
  };

  const quantize::QuantizeRequest request{args.input, args.output, *preset, args.pure, args.threads};
  const Result<quantize::QuantizeSummary> summary = quantize::quantize_model(request, observer);
  progress.finish();
  if (!summary.ok()) return fail(summary.error());
  std::printf("%s: %zu tensors, %s -> %s (%s%s), verified\n", args.output.c_str(), summary->tensors,
              human_size(summary->bytes_in).c_str(), human_size(summary->bytes_out).c_str(),
              std::string(preset->name).c_str(), args.pure ? ", pure" : "");
  return 0;
}

}  // namespace

Command register_quantize(CLI::App& app) {
  auto args = std::make_shared<QuantizeArgs>();
  CLI::App* quantize = app.add_subcommand("quantize", "Quantize a GGUF model with llama.cpp's per-tensor mix rules");
  quantize->add_option("IN", args->input, "Input GGUF (F32/F16/BF16, or already quantized)")->required();
  quantize->add_option("OUT", args->output, "Output GGUF; replaced only after the new file is verified")->required();
  quantize->add_option("TYPE", args->type, "One of: " + preset_names())->required();
  quantize->add_flag("--pure", args->pure, "Use TYPE for every quantizable tensor, without the mix rules");
  quantize->add_option("-t,--threads", args->threads, "Worker threads")->check(CLI::Range(1u, 1024u));
  return {quantize, [args] { return run_quantize(*args); }};
}

}  // namespace hearth::cli
