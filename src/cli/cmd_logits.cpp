// `hearth logits`: runs a token-id prompt through a text model and prints next-token logits per position,
// optionally the full last vector and a greedy continuation — the layout of the goldens' `runs.*.<prompt>`
// objects, so outputs can be compared with them directly.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cache/kv_cache.h"
#include "cli/command.h"
#include "cpu/ops.h"
#include "models/text_model.h"

namespace hearth::cli {
namespace {

struct LogitsArgs {
  std::string model;
  std::string tokens;
  int top = 10;
  bool full_last = false;
  int greedy = 0;
  std::string numerics = "as_stored";
  std::string kv = "f16";
  int64_t ubatch = 512;
  bool json = false;
};

Result<std::vector<int32_t>> parse_tokens(const std::string& text) {
  std::istringstream in(text);
  std::vector<int32_t> ids;
  std::string word;
  while (in >> word) {
    try {
      size_t used = 0;
      const long id = std::stol(word, &used);
      if (used != word.size()) throw std::invalid_argument(word);
      ids.push_back(static_cast<int32_t>(id));
    } catch (const std::exception&) {
      return make_error("--tokens: '", word, "' is not a token id");
    }
  }
  if (ids.empty()) return make_error("--tokens: no token ids given");
  return ids;
}

nlohmann::json top_entries(const float* logits, int64_t n_vocab, int64_t k) {
  std::vector<int64_t> best(std::min(k, n_vocab));
  cpu::top_k(logits, n_vocab, static_cast<int64_t>(best.size()), best.data());
  nlohmann::json top = nlohmann::json::array();
  for (int64_t id : best) top.push_back({id, logits[id]});
  return top;
}

void print_text(const nlohmann::json& result) {
  for (const auto& position : result["positions"]) {
    std::printf("pos %d:", position["pos"].get<int>());
    for (const auto& entry : position["top"]) std::printf(" %d:%.4f", entry[0].get<int>(), entry[1].get<double>());
    std::printf("\n");
  }
  if (result.contains("greedy")) {
    std::printf("greedy:");
    for (const auto& token : result["greedy"]["tokens"]) std::printf(" %d", token.get<int>());
    std::printf("\n");
  }
}

int run_logits(const LogitsArgs& args) {
  Result<std::vector<int32_t>> prompt = parse_tokens(args.tokens);
  if (!prompt) return fail(prompt.error());
  Result<std::unique_ptr<models::TextModel>> loaded = models::load_text_model(args.model);
  if (!loaded) return fail(loaded.error());
  models::TextModel& model = **loaded;
  const int64_t n_vocab = model.n_vocab();

  engine::ForwardOptions options;
  options.numerics = args.numerics == "f32" ? cpu::LinearNumerics::f32_upcast : cpu::LinearNumerics::as_stored;
  options.n_ubatch = args.ubatch;
  cache::KvCacheOptions cache_options;
  cache_options.format = args.kv == "f32" ? cpu::KvFormat::f32 : cpu::KvFormat::f16;
  cache_options.n_ctx = static_cast<int64_t>(prompt->size()) + std::max(args.greedy, 1);
  cache_options.n_ubatch = args.ubatch;
  cache::KvCache cache(model.kv_slots(), cache_options);

  std::vector<engine::BatchEntry> batch;
  for (size_t i = 0; i < prompt->size(); ++i) batch.push_back({0, (*prompt)[i], nullptr, static_cast<int32_t>(i), true});
  Result<std::vector<float>> logits = model.forward(batch, cache, options);
  if (!logits) return fail(logits.error());

  nlohmann::json result;
  result["positions"] = nlohmann::json::array();
  for (size_t i = 0; i < prompt->size(); ++i) {
    result["positions"].push_back({{"pos", i}, {"top", top_entries(logits->data() + i * n_vocab, n_vocab, args.top)}});
  }
  std::vector<float> last(logits->end() - n_vocab, logits->end());
  if (args.full_last) result["last_logits"] = last;

  if (args.greedy > 0) {
    nlohmann::json tokens = nlohmann::json::array(), margins = nlohmann::json::array(), steps = nlohmann::json::array();
    for (int step = 0; step < args.greedy; ++step) {
      int64_t best[2] = {0, 0};
      cpu::top_k(last.data(), n_vocab, std::min<int64_t>(2, n_vocab), best);
      const int32_t token = static_cast<int32_t>(best[0]);
      tokens.push_back(token);
      margins.push_back(n_vocab > 1 ? last[best[0]] - last[best[1]] : 0.0f);
      steps.push_back({{"step", step}, {"top", top_entries(last.data(), n_vocab, args.top)}});
      if (step + 1 == args.greedy) break;
      const engine::BatchEntry next{0, token, nullptr, static_cast<int32_t>(prompt->size() + step), true};
      Result<std::vector<float>> next_logits = model.forward({&next, 1}, cache, options);
      if (!next_logits) return fail(next_logits.error());
      last = std::move(*next_logits);
    }
    result["greedy"] = {{"tokens", tokens}, {"top1_minus_top2", margins}, {"steps", steps}};
  }

  if (args.json) {
    std::printf("%s\n", result.dump().c_str());
  } else {
    print_text(result);
  }
  return 0;
}

}  // namespace

Command register_logits(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("logits", "Print next-token logits of a token-id prompt (for comparing with goldens)");
  auto args = std::make_shared<LogitsArgs>();
  cmd->add_option("model", args->model, "GGUF text model")->required();
  cmd->add_option("--tokens", args->tokens, "Prompt token ids, space separated")->required();
  cmd->add_option("--top", args->top, "Top logits printed per position")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--full-last", args->full_last, "Also print the whole logit vector of the last position");
  cmd->add_option("--greedy", args->greedy, "Greedy tokens to generate after the prompt")->check(CLI::NonNegativeNumber);
  cmd->add_option("--numerics", args->numerics, "as_stored: llama.cpp's CPU numerics; f32: exact f32 weights")
      ->check(CLI::IsMember({"as_stored", "f32"}))
      ->capture_default_str();
  cmd->add_option("--kv", args->kv, "KV cache type")->check(CLI::IsMember({"f16", "f32"}))->capture_default_str();
  cmd->add_option("--ubatch", args->ubatch, "Tokens per micro-batch")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON in the goldens' layout");
  return {cmd, [args] { return run_logits(*args); }};
}

}  // namespace hearth::cli
