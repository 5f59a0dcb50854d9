#include "tokenizer/special_tokens.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"

namespace hearth::tokenizer {
namespace {

using namespace token_attribute;

// Texts llama.cpp recognises (llama-vocab.cpp load). llama.cpp keeps whichever match its hash map yields first;
// taking the lowest id makes the choice deterministic.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<end_of_utterance>"};
constexpr std::string_view kEomTexts[] = {"<|eom_id|>"};
constexpr std::string_view kFimPreTexts[] = {
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>", "<|code_prefix|>", "<|prefix|>"};
constexpr std::string_view kFimSufTexts[] = {
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>", "<|code_suffix|>", "<|suffix|>"};
constexpr std::string_view kFimMidTexts[] = {
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<MID>", "<|code_middle|>", "<|middle|>"};
constexpr std::string_view kFimPadTexts[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
                                                                  "[PAD]"};
constexpr std::string_view kFimRepTexts[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>",
                                                                  "<REPO>", "<reponame>"};
constexpr std::string_view kFimSepTexts[] = {"<|file_sep|>"};

constexpr std::string_view kEndOfGenerationTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>", "[e~["};

// Applies a file id over `fallback`, keeping the fallback when the id is out of range (as llama.cpp does).
TokenId file_id_or(std::optional<uint32_t> file_id, TokenId fallback, std::string_view role, size_t token_count,
                   std::vector<std::string>& warnings) {
  if (!file_id) return fallback;
  if (*file_id >= token_count) {
    warnings.push_back(make_error("special token id ", role, " = ", *file_id, " is out of range for ", token_count,
                                  " tokens; ignored")
                           .message);
    return fallback;
  }
  return static_cast<TokenId>(*file_id);
}

class Detector {
 public:
  Detector(const BpeModel& model, std::vector<uint16_t>& attributes) : model_(model), attributes_(attributes) {}

  // The lowest id among the tokens with one of `texts`, made CONTROL; kNoToken when none exists.
  TokenId detect(TokenId current, std::span<const std::string_view> texts) {
    if (current != kNoToken) return current;
    TokenId found = kNoToken;
    for (std::string_view text : texts) {
      const TokenId id = model_.find_token(text);
      if (id != kNoToken && (found == kNoToken || id < found)) found = id;
    }
    if (found != kNoToken) attributes_[static_cast<size_t>(found)] |= kControl;
    return found;
  }

 private:
  const BpeModel& model_;
  std::vector<uint16_t>& attributes_;
};

void erase_id(std::vector<TokenId>& ids, TokenId id) { ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end()); }

bool contains(const std::vector<TokenId>& ids, TokenId id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

}  // namespace

uint16_t attributes_of(TokenType type) {
  switch (type) {
    case TokenType::Normal: return kNormal;
    case TokenType::Unknown: return kUnknown;
    case TokenType::Control: return kControl;
    case TokenType::UserDefined: return kUserDefined;
    case TokenType::Unused: return kUnused;
    case TokenType::Byte: return kByte;
    case TokenType::Undefined: return 0;
  }
  return 0;
}

SpecialTokenSetup resolve_special_tokens(const Vocabulary& vocabulary, const BpeModel& model,
                                         std::vector<uint16_t>& attributes, std::vector<std::string>& warnings) {
  const size_t count = model.token_count();
  const SpecialTokenIds& file = vocabulary.special;
  // llama.cpp's `gpt2` defaults are bos = eos = 11; Gemma 4 has no defaults.
  const TokenId gpt2_default = vocabulary.pre != PreTokenizerKind::Gemma4 && count > 11 ? 11 : kNoToken;

  SpecialTokenSetup setup;
  SpecialTokens& ids = setup.ids;
  ids.bos = file_id_or(file.bos, gpt2_default, "bos", count, warnings);
  ids.eos = file_id_or(file.eos, gpt2_default, "eos", count, warnings);
  ids.eot = file_id_or(file.eot, kNoToken, "eot", count, warnings);
  ids.eom = file_id_or(file.eom, kNoToken, "eom", count, warnings);
  ids.unknown = file_id_or(file.unknown, kNoToken, "unknown", count, warnings);
  ids.separator = file_id_or(file.separator, kNoToken, "seperator", count, warnings);
  ids.padding = file_id_or(file.padding, kNoToken, "padding", count, warnings);
  ids.mask = file_id_or(file.mask, kNoToken, "mask", count, warnings);
  ids.fim_pre = file_id_or(file.fim_pre, kNoToken, "fim_pre", count, warnings);
  ids.fim_suf = file_id_or(file.fim_suf, kNoToken, "fim_suf", count, warnings);
  ids.fim_mid = file_id_or(file.fim_mid, kNoToken, "fim_mid", count, warnings);
  ids.fim_pad = file_id_or(file.fim_pad, kNoToken, "fim_pad", count, warnings);
  ids.fim_rep = file_id_or(file.fim_rep, kNoToken, "fim_rep", count, warnings);
  ids.fim_sep = file_id_or(file.fim_sep, kNoToken, "fim_sep", count, warnings);

  Detector detector(model, attributes);
  ids.eot = detector.detect(ids.eot, kEotTexts);
  ids.eom = detector.detect(ids.eom, kEomTexts);
  ids.fim_pre = detector.detect(ids.fim_pre, kFimPreTexts);
  ids.fim_suf = detector.detect(ids.fim_suf, kFimSufTexts);
  ids.fim_mid = detector.detect(ids.fim_mid, kFimMidTexts);
  ids.fim_pad = detector.detect(ids.fim_pad, kFimPadTexts);
  ids.fim_rep = detector.detect(ids.fim_rep, kFimRepTexts);
  ids.fim_sep = detector.detect(ids.fim_sep, kFimSepTexts);

  for (size_t id = 0; id < count; ++id) {
    if ((attributes[id] & kControl) && model.token_text(static_cast<TokenId>(id)).find("unused") != std::string_view::npos) {
      attributes[id] |= kUnused;
    }
  }

  std::vector<TokenId>& eog = setup.end_of_generation;
  auto add = [&](TokenId id) {
    if (id != kNoToken && !contains(eog, id)) eog.push_back(id);
  };
  add(ids.fim_pad);
  add(ids.fim_rep);
  add(ids.fim_sep);
  for (std::string_view text : kEndOfGenerationTexts) {
    const TokenId id = model.find_token(text);
    if (id == kNoToken) continue;
    add(id);
    attributes[static_cast<size_t>(id)] |= kControl;
  }
  add(ids.eos);
  add(ids.eot);
  add(ids.eom);

  // gpt-oss and solar-open end a message with <|end|> but keep generating; llama.cpp drops it from the set.
  const TokenId end = model.find_token("<|end|>");
  auto in_set = [&](std::string_view text) {
    const TokenId id = model.find_token(text);
    return id != kNoToken && contains(eog, id);
  };
  const bool has_call = in_set("<|call|>") || in_set("<|calls|>");
  if (in_set("<|end|>") && has_call && (in_set("<|return|>") || in_set("<|flush|>"))) {
    erase_id(eog, end);
    attributes[static_cast<size_t>(end)] = kUserDefined;
  }
  // Gemma 4 uses </s> as ordinary text; llama.cpp removes it when <|tool_response> marks the vocabulary.
  const TokenId end_of_sentence = model.find_token("</s>");
  if (in_set("<|tool_response>") && in_set("</s>")) {
    erase_id(eog, end_of_sentence);
    attributes[static_cast<size_t>(end_of_sentence)] = kNormal;
  }
  std::sort(eog.begin(), eog.end());
  return setup;
}

}  // namespace hearth::tokenizer
