#include "server/logprobs_json.h"

namespace hearth::server {

nlohmann::json logprobs_json(const tokenizer::Tokenizer& tokenizer, const std::vector<engine::TokenEvent>& tokens) {
  auto entry = [&](const engine::TokenLogprob& t) {
    const std::string piece = tokenizer.token_to_piece(t.token, false);
    return nlohmann::json{{"token", piece}, {"logprob", t.logprob}, {"bytes", std::vector<uint8_t>(piece.begin(), piece.end())}};
  };
  nlohmann::json entries = nlohmann::json::array();
  for (const engine::TokenEvent& token : tokens) {
    if (!token.logprobs) continue;
    nlohmann::json item = entry(token.logprobs->chosen);
    item["top_logprobs"] = nlohmann::json::array();
    for (const engine::TokenLogprob& alternative : token.logprobs->top) item["top_logprobs"].push_back(entry(alternative));
    entries.push_back(std::move(item));
  }
  return entries;
}

}  // namespace hearth::server
