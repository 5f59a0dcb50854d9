// `hearth synth`: random-weight Gemma 4 GGUFs (text models, or with --vision / --audio their vision / audio
// projectors) at real or scaled-down shapes, for benchmarks and tests.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "cli/command.h"
#include "cli/human_size.h"
#include "gguf/gguf_file.h"
#include "synth/audio_projector.h"
#include "synth/presets.h"
#include "synth/synth_model.h"
#include "synth/tensor_plan.h"
#include "synth/vision_projector.h"

namespace hearth::cli {
namespace {

constexpr uint32_t kAlignment = 32;

struct SynthArgs {
  std::string preset;
  std::string out;
  uint64_t seed = 0;
  std::string type = "f16";
  std::optional<uint32_t> vocab;
  std::optional<uint32_t> layers;
  std::optional<uint32_t> context;
  std::string chat_template_from;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  bool list = false;
  bool vision = false;
  bool audio = false;
};

std::string human_count(uint64_t n) {
  char text[32];
  if (n >= 1'000'000'000) {
    std::snprintf(text, sizeof text, "%.2fB", static_cast<double>(n) / 1e9);
  } else {
    std::snprintf(text, sizeof text, "%.1fM", static_cast<double>(n) / 1e6);
  }
  return text;
}

int list_presets() {
  std::printf("%-9s %6s %6s %8s %10s %10s  %s\n", "preset", "layers", "embd", "params", "F16 size", "F32 size",
              "description");
  for (const synth::ShapePreset& preset : synth::shape_presets()) {
    const auto f16 = synth::plan_gemma4_tensors(preset.shape, TensorType::F16);
    const auto f32 = synth::plan_gemma4_tensors(preset.shape, TensorType::F32);
    std::printf("%-9s %6u %6u %8s %10s %10s  %.*s\n", std::string(preset.name).c_str(), preset.shape.n_layer,
                preset.shape.n_embd, human_count(synth::parameter_count(f16)).c_str(),
                human_size(synth::tensor_data_bytes(f16, kAlignment)).c_str(),
                human_size(synth::tensor_data_bytes(f32, kAlignment)).c_str(),
                static_cast<int>(preset.description.size()), preset.description.data());
  }
  return 0;
}

// --vision: the preset's vision projector (the E2B/E4B tower, spec/gemma4.md §1.3) for its text width.
int write_vision_projector(const SynthArgs& args, const synth::Gemma4Shape& text_shape) {
  synth::VisionShape shape;
  shape.n_embd_text = text_shape.n_embd;
  const TensorType type = args.type == "f32" ? TensorType::F32 : TensorType::F16;
  const auto plan = synth::plan_vision_projector_tensors(shape, type);
  const auto started = std::chrono::steady_clock::now();
  if (Status written = synth::write_synth_vision_projector(shape, type, args.seed, args.threads, args.out); !written) {
    return fail(written.error());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("wrote %s: %s vision projector, %zu tensors, %s parameters, %s of tensor data in %.1f s\n", args.out.c_str(),
              args.preset.c_str(), plan.size(), human_count(synth::parameter_count(plan)).c_str(),
              human_size(synth::tensor_data_bytes(plan, kAlignment)).c_str(), seconds);
  return 0;
}

// --audio: the E2B/E4B audio projector (spec/gemma4.md §3.4) for the preset's text width.
int write_audio_projector(const SynthArgs& args, const synth::Gemma4Shape& text_shape) {
  synth::AudioTowerShape shape;
  shape.n_embd_text = text_shape.n_embd;
  const TensorType type = args.type == "f32" ? TensorType::F32 : TensorType::F16;
  const auto plan = synth::plan_audio_projector_tensors(shape, type);
  if (Status written = synth::write_synth_audio_projector(shape, type, args.seed, args.threads, args.out); !written) {
    return fail(written.error());
  }
  std::printf("wrote %s: %s audio projector, %zu tensors, %s parameters, %s of tensor data\n", args.out.c_str(), args.preset.c_str(),
              plan.size(), human_count(synth::parameter_count(plan)).c_str(), human_size(synth::tensor_data_bytes(plan, kAlignment)).c_str());
  return 0;
}

int run_synth(const SynthArgs& args) {
  if (args.list) return list_presets();
  if (args.preset.empty()) return fail("--preset is required (see --list)");
  if (args.out.empty()) return fail("--out is required");
  const synth::ShapePreset* preset = synth::find_preset(args.preset);
  if (!preset) return fail("unknown preset '" + args.preset + "' (see --list)");
  Result<synth::Gemma4Shape> shape = synth::customize(preset->shape, {args.vocab, args.layers, args.context});
  if (!shape) return fail("preset " + args.preset + ": " + shape.error());

  if (args.vision) return write_vision_projector(args, *shape);
  if (args.audio) return write_audio_projector(args, *shape);

  synth::SynthOptions options;
  if (!args.chat_template_from.empty()) {
    auto source = gguf::GgufFile::open(args.chat_template_from);
    if (!source) return fail(source.error());
    Result<std::string> chat_template = (*source)->get_string("tokenizer.chat_template");
    if (!chat_template) return fail(args.chat_template_from + ": " + chat_template.error());
    options.chat_template = std::move(*chat_template);
  }
  options.shape = *shape;
  options.model_name = "synthetic gemma4 " + args.preset;
  options.seed = args.seed;
  options.weight_type = args.type == "f32" ? TensorType::F32 : TensorType::F16;
  options.threads = args.threads;
  const auto plan = synth::plan_gemma4_tensors(options.shape, options.weight_type);
  const uint64_t data_bytes = synth::tensor_data_bytes(plan, kAlignment);

  const bool show_progress = isatty(STDERR_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  Status written = synth::write_synth_model(options, args.out, [&](size_t done, size_t total) {
    if (show_progress) std::fprintf(stderr, "\r%zu/%zu tensors", done, total);
  });
  if (show_progress) std::fprintf(stderr, "\n");
  if (!written) return fail(written.error());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("wrote %s: %s, %zu tensors, %s parameters, %s of tensor data in %.1f s (%.0f MiB/s)\n",
              args.out.c_str(), args.preset.c_str(), plan.size(), human_count(synth::parameter_count(plan)).c_str(),
              human_size(data_bytes).c_str(), seconds, static_cast<double>(data_bytes) / (1 << 20) / seconds);
  return 0;
}

}  // namespace

Command register_synth(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("synth", "Write a random-weight Gemma 4 GGUF at a real or scaled-down shape");
  auto args = std::make_shared<SynthArgs>();
  cmd->add_option("--preset", args->preset, "Shape preset (see --list)");
  cmd->add_option("--out", args->out, "Output GGUF file");
  cmd->add_option("--seed", args->seed, "Seed of the weights; the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_option("--type", args->type, "Type of the weight matrices")
      ->check(CLI::IsMember({"f16", "f32"}))
      ->capture_default_str();
  cmd->add_option("--vocab", args->vocab, "Override the vocabulary size")->check(CLI::PositiveNumber);
  cmd->add_option("--layers", args->layers, "Override the layer count (the layer pattern repeats)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--context", args->context, "Override the training context length")->check(CLI::PositiveNumber);
  cmd->add_option("--chat-template-from", args->chat_template_from,
                  "Copy tokenizer.chat_template from this GGUF (e.g. a real Gemma 4 file)");
  cmd->add_option("--threads", args->threads, "Threads generating weights")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--list", args->list, "List the presets with their parameter counts and sizes");
  cmd->add_flag("--vision", args->vision, "Write the preset's vision projector (mmproj) instead of the text model");
  cmd->add_flag("--audio", args->audio, "Write the preset's audio projector (mmproj, E2B/E4B tower) instead of the text model")
      ->excludes("--vision");
  return {cmd, [args] { return run_synth(*args); }};
}

}  // namespace hearth::cli
