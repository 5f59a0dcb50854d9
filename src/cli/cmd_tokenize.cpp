// `hearth tokenize MODEL [--text T | stdin]`: the model's token ids for a text, with each token's piece.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "gguf/gguf_file.h"
#include "tokenizer/gguf_vocabulary.h"

namespace hearth::cli {
namespace {

struct TokenizeArgs {
  std::string model;
  std::string text;
  bool text_given = false;
  bool no_bos = false;
  bool parse_special = false;
  bool json = false;
};

int run_tokenize(const TokenizeArgs& args) {
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(args.model);
  if (!file) return fail(args.model + ": " + file.error());
  Result<tokenizer::Tokenizer> tokenizer = tokenizer::tokenizer_from_gguf(**file);
  if (!tokenizer) return fail(args.model + ": tokenizer: " + tokenizer.error());
  std::string text = args.text;
  if (!args.text_given) text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());

  const std::vector<tokenizer::TokenId> ids = tokenizer->tokenize(text, !args.no_bos, args.parse_special);
  if (args.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (tokenizer::TokenId id : ids) pieces.push_back(tokenizer->token_to_piece(id, true));
    const nlohmann::json out = {{"tokens", ids}, {"pieces", pieces}, {"count", ids.size()}};
    // A piece can be part of a UTF-8 character; such bytes print as U+FFFD.
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  for (tokenizer::TokenId id : ids) {
    const nlohmann::json piece = tokenizer->token_to_piece(id, true);
    std::printf("%6d  %s\n", id, piece.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return 0;
}

}  // namespace

Command register_tokenize(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids of a text");
  auto args = std::make_shared<TokenizeArgs>();
  cmd->add_option("model", args->model, "GGUF model file (only its vocabulary is read)")->required();
  auto* text = cmd->add_option("--text", args->text, "Text to tokenize (default: stdin)");
  cmd->add_flag("--no-bos", args->no_bos, "Do not add the BOS token the vocabulary asks for");
  cmd->add_flag("--parse-special", args->parse_special, "Read special-token text (<start_of_turn> ...) as those tokens");
  cmd->add_flag("--json", args->json, "Print JSON: tokens, pieces, count");
  return {cmd, [args, text] {
            args->text_given = text->count() > 0;
            return run_tokenize(*args);
          }};
}

}  // namespace hearth::cli
