// `hearth perplexity MODEL --file TEXT [--ctx N]`: llama-perplexity's figure for a text file.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "cli/thread_flag.h"
#include "engine/perplexity.h"

namespace hearth::cli {
namespace {

constexpr uintmax_t kMaxTextBytes = uintmax_t{1} << 30;

struct PerplexityArgs {
  std::string model;
  std::string file;
  int64_t ctx = 512;
  int64_t batch = 128;
  std::string numerics = "as_stored";
  int threads = 0;
  bool json = false;
};

int run_perplexity(const PerplexityArgs& args) {
  if (Status threads = set_thread_count(args.threads); !threads) return fail(threads.error());
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(args.file, error);
  if (error) return fail(args.file + ": " + error.message());
  if (size > kMaxTextBytes) return fail(args.file + ": larger than 1 GiB");
  std::ifstream in(args.file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return fail(args.file + ": cannot be read");

  Result<std::shared_ptr<engine::LoadedModel>> model = engine::load_model(args.model);
  if (!model) return fail(model.error());
  engine::PerplexityOptions options;
  options.n_ctx = args.ctx;
  options.n_batch = std::min(args.batch, args.ctx);
  options.numerics = args.numerics == "f32" ? cpu::LinearNumerics::f32_upcast : cpu::LinearNumerics::as_stored;
  Result<engine::PerplexityResult> result = engine::perplexity(**model, text.str(), options, [&](int64_t done, int64_t total, double estimate) {
    if (!args.json) std::fprintf(stderr, "[%lld/%lld] %.4f\n", static_cast<long long>(done), static_cast<long long>(total), estimate);
  });
  if (!result) return fail(result.error());
  if (args.json) {
    std::printf("{\"perplexity\": %.6f, \"uncertainty\": %.6f, \"n_tokens\": %lld, \"n_chunks\": %lld, \"n_scored\": %lld, \"ctx\": %lld}\n",
                result->perplexity, result->uncertainty, static_cast<long long>(result->n_tokens),
                static_cast<long long>(result->n_chunks), static_cast<long long>(result->n_scored), static_cast<long long>(args.ctx));
  } else {
    std::printf("Final estimate: PPL = %.4f +/- %.5f (%lld chunks of %lld tokens, %lld scored)\n", result->perplexity,
                result->uncertainty, static_cast<long long>(result->n_chunks), static_cast<long long>(args.ctx),
                static_cast<long long>(result->n_scored));
  }
  return 0;
}

}  // namespace

Command register_perplexity(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("perplexity", "Measure a model's perplexity on a text file");
  auto args = std::make_shared<PerplexityArgs>();
  cmd->add_option("model", args->model, "GGUF model file")->required();
  cmd->add_option("-f,--file", args->file, "Text file")->required();
  cmd->add_option("-c,--ctx", args->ctx, "Tokens per chunk")->check(CLI::Range(int64_t{4}, int64_t{1} << 20))->capture_default_str();
  cmd->add_option("-b,--batch", args->batch, "Tokens per forward call")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--numerics", args->numerics, "as_stored: llama.cpp's CPU numerics; f32: exact f32 weights")
      ->check(CLI::IsMember({"as_stored", "f32"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON");
  add_thread_flag(*cmd, args->threads);
  return {cmd, [args] { return run_perplexity(*args); }};
}

}  // namespace hearth::cli
