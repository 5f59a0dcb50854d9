// `hearth bench MODEL [-p 512] [-n 128] [-t N] [-r REPS] [--json]`: llama-bench's pp / tg figures, with the
// memory bandwidth measured in the same run and the fraction of it that generation reaches.
#include <sys/resource.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "cli/human_size.h"
#include "cli/thread_flag.h"
#include "cpu/memory_bandwidth.h"
#include "cpu/ops.h"
#include "engine/model_bench.h"

namespace hearth::cli {
namespace {

struct BenchArgs {
  std::string model;
  int64_t n_prompt = 512;
  int64_t n_gen = 128;
  int repetitions = 5;
  int threads = 0;
  std::string kv = "f16";
  bool json = false;
};

uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

nlohmann::json throughput_json(const engine::Throughput& t) {
  return {{"n_tokens", t.n_tokens}, {"tokens_per_s", t.mean()}, {"sd", t.sd()}, {"samples", t.samples}};
}

int run_bench(const BenchArgs& args) {
  if (Status threads = set_thread_count(args.threads); !threads) return fail(threads.error());
  Result<std::shared_ptr<engine::LoadedModel>> model = engine::load_model(args.model);
  if (!model) return fail(model.error());
  engine::BenchOptions options;
  options.n_prompt = args.n_prompt;
  options.n_gen = args.n_gen;
  options.repetitions = args.repetitions;
  options.kv_format = args.kv == "f32" ? cpu::KvFormat::f32 : cpu::KvFormat::f16;
  Result<engine::BenchResult> result = engine::bench_model(**model, options);
  if (!result) return fail(result.error());
  const uint64_t rss = peak_rss_bytes();  // before the bandwidth probe's own buffer

  cpu::ThreadPool& pool = *cpu::default_op_context().pool;
  const double bandwidth = cpu::measure_read_bandwidth(pool).best;
  const uint64_t bytes_per_token = (*model)->model->decode_bytes_per_token();
  const double tg_bytes_per_s = result->tg.mean() * static_cast<double>(bytes_per_token);
  const double fraction = bandwidth > 0 ? tg_bytes_per_s / bandwidth : 0.0;

  if (args.json) {
    nlohmann::json out = {{"model", args.model},
                          {"threads", pool.size()},
                          {"pp", throughput_json(result->pp)},
                          {"tg", throughput_json(result->tg)},
                          {"peak_rss_bytes", rss},
                          {"decode_bytes_per_token", bytes_per_token},
                          {"read_bandwidth_bytes_per_s", bandwidth},
                          {"bandwidth_fraction", fraction}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("model: %s   threads: %d\n", args.model.c_str(), pool.size());
  std::printf("%-8s %16s\n", "test", "t/s");
  if (result->pp.n_tokens > 0) {
    std::printf("pp%-6lld %9.2f ± %.2f\n", static_cast<long long>(result->pp.n_tokens), result->pp.mean(), result->pp.sd());
  }
  if (result->tg.n_tokens > 0) {
    std::printf("tg%-6lld %9.2f ± %.2f\n", static_cast<long long>(result->tg.n_tokens), result->tg.mean(), result->tg.sd());
  }
  std::printf("peak RSS: %s\n", human_size(rss).c_str());
  std::printf("generation reads %s per token: %.1f GB/s of %.1f GB/s measured read bandwidth (%.0f%%)\n",
              human_size(bytes_per_token).c_str(), tg_bytes_per_s / 1e9, bandwidth / 1e9, 100.0 * fraction);
  return 0;
}

}  // namespace

Command register_bench(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("bench", "Measure prompt processing and generation speed (llama-bench style)");
  auto args = std::make_shared<BenchArgs>();
  cmd->add_option("model", args->model, "GGUF model file")->required();
  cmd->add_option("-p,--n-prompt", args->n_prompt, "Prompt tokens (0: skip)")->check(CLI::Range(int64_t{0}, int64_t{1} << 20))->capture_default_str();
  cmd->add_option("-n,--n-gen", args->n_gen, "Generated tokens (0: skip)")->check(CLI::Range(int64_t{0}, int64_t{1} << 20))->capture_default_str();
  cmd->add_option("-r,--repetitions", args->repetitions, "Runs per test after one warm-up")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--kv", args->kv, "KV cache type")->check(CLI::IsMember({"f16", "f32"}))->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON");
  add_thread_flag(*cmd, args->threads);
  return {cmd, [args] { return run_bench(*args); }};
}

}  // namespace hearth::cli
