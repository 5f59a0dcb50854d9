#include "tokenizer/gguf_vocabulary.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hearth::tokenizer {
namespace {

struct PreName {
  std::string_view name;
  PreTokenizerKind kind;
};

constexpr std::array kPreNames = {
    PreName{"llama3", PreTokenizerKind::Llama3},        PreName{"llama-v3", PreTokenizerKind::Llama3},
    PreName{"llama-bpe", PreTokenizerKind::Llama3},     PreName{"qwen2", PreTokenizerKind::Qwen2},
    PreName{"deepseek-r1-qwen", PreTokenizerKind::Qwen2}, PreName{"kormo", PreTokenizerKind::Qwen2},
    PreName{"f2llmv2", PreTokenizerKind::Qwen2},        PreName{"megrez", PreTokenizerKind::Qwen2},
    PreName{"qwen35", PreTokenizerKind::Qwen35},        PreName{"gpt-4o", PreTokenizerKind::Gpt4o},
    PreName{"llama4", PreTokenizerKind::Gpt4o},         PreName{"kanana2", PreTokenizerKind::Gpt4o},
    PreName{"talkie", PreTokenizerKind::Gpt4o},         PreName{"gemma4", PreTokenizerKind::Gemma4},
    PreName{"granite-embed-multi-311m", PreTokenizerKind::Gemma4},
};

Result<std::optional<std::string>> optional_string(const gguf::GgufFile& file, std::string_view key) {
  if (!file.find(key)) return std::optional<std::string>();
  Result<std::string> value = file.get_string(key);
  if (!value) return std::move(value).take_error();
  return std::optional<std::string>(std::move(*value));
}

Result<PreTokenizerKind> pre_tokenizer_kind(const gguf::GgufFile& file) {
  Result<std::string> model = file.get_string("tokenizer.ggml.model");
  if (!model) return std::move(model).take_error();
  Result<std::optional<std::string>> pre = optional_string(file, "tokenizer.ggml.pre");
  if (!pre) return std::move(pre).take_error();

  // llama.cpp sets pre `gemma4` itself for this model; Ollama writes `llama` + pre `gemma4` for the same vocabulary.
  if (*model == "gemma4" || (*model == "llama" && *pre == "gemma4")) return PreTokenizerKind::Gemma4;
  if (*model != "gpt2") return make_error("unsupported tokenizer.ggml.model '", *model, "'");
  if (!*pre) return make_error("gpt2 vocabulary without tokenizer.ggml.pre is not supported");
  for (const PreName& entry : kPreNames) {
    if (entry.name == **pre) return entry.kind;
  }
  return make_error("unsupported tokenizer.ggml.pre '", **pre, "'");
}

TokenType token_type_of(int64_t value) {
  return value >= 1 && value <= 6 ? static_cast<TokenType>(value) : TokenType::Undefined;
}

// Special ids must be stored as UINT32, which llama.cpp checks strictly.
Status read_special_id(const gguf::GgufFile& file, std::string_view key, std::optional<uint32_t>& id) {
  const gguf::Value* value = file.find(key);
  if (!value) return Status::success();
  if (value->type != gguf::ValueType::UINT32) {
    return make_error("key '", key, "': expected UINT32 but found ", gguf::value_type_name(value->type));
  }
  id = static_cast<uint32_t>(std::get<uint64_t>(value->data));
  return Status::success();
}

Status read_flag(const gguf::GgufFile& file, std::string_view key, std::optional<bool>& flag) {
  if (!file.find(key)) return Status::success();
  Result<bool> value = file.get_bool(key);
  if (!value) return Error{value.error()};
  flag = *value;
  return Status::success();
}

Status read_special_ids(const gguf::GgufFile& file, SpecialTokenIds& ids) {
  // The deprecated prefix/suffix/middle keys come last so that, as in llama.cpp, they win when both exist.
  const std::pair<std::string_view, std::optional<uint32_t>*> keys[] = {
      {"tokenizer.ggml.bos_token_id", &ids.bos},         {"tokenizer.ggml.eos_token_id", &ids.eos},
      {"tokenizer.ggml.eot_token_id", &ids.eot},         {"tokenizer.ggml.eom_token_id", &ids.eom},
      {"tokenizer.ggml.unknown_token_id", &ids.unknown}, {"tokenizer.ggml.seperator_token_id", &ids.separator},
      {"tokenizer.ggml.padding_token_id", &ids.padding}, {"tokenizer.ggml.mask_token_id", &ids.mask},
      {"tokenizer.ggml.fim_pre_token_id", &ids.fim_pre}, {"tokenizer.ggml.fim_suf_token_id", &ids.fim_suf},
      {"tokenizer.ggml.fim_mid_token_id", &ids.fim_mid}, {"tokenizer.ggml.fim_pad_token_id", &ids.fim_pad},
      {"tokenizer.ggml.fim_rep_token_id", &ids.fim_rep}, {"tokenizer.ggml.fim_sep_token_id", &ids.fim_sep},
      {"tokenizer.ggml.prefix_token_id", &ids.fim_pre},  {"tokenizer.ggml.suffix_token_id", &ids.fim_suf},
      {"tokenizer.ggml.middle_token_id", &ids.fim_mid},
  };
  for (const auto& [key, id] : keys) {
    if (Status status = read_special_id(file, key, *id); !status) return status;
  }
  return Status::success();
}

}  // namespace

Result<Vocabulary> vocabulary_from_gguf(const gguf::GgufFile& file) {
  Vocabulary vocabulary;
  Result<PreTokenizerKind> pre = pre_tokenizer_kind(file);
  if (!pre) return std::move(pre).take_error();
  vocabulary.pre = *pre;

  Result<std::vector<std::string>> tokens = file.get_string_array("tokenizer.ggml.tokens");
  if (!tokens) return std::move(tokens).take_error();
  vocabulary.tokens = std::move(*tokens);

  Result<std::vector<std::string>> merges = file.get_string_array("tokenizer.ggml.merges");
  if (!merges) return std::move(merges).take_error();
  vocabulary.merges = std::move(*merges);

  if (file.find("tokenizer.ggml.scores")) {
    Result<std::vector<double>> scores = file.get_float_array("tokenizer.ggml.scores");
    if (!scores) return std::move(scores).take_error();
    vocabulary.scores.assign(scores->begin(), scores->end());
  }
  if (file.find("tokenizer.ggml.token_type")) {
    Result<std::vector<int64_t>> types = file.get_int_array("tokenizer.ggml.token_type");
    if (!types) return std::move(types).take_error();
    vocabulary.types.reserve(types->size());
    for (int64_t type : *types) vocabulary.types.push_back(token_type_of(type));
  }

  if (Status status = read_special_ids(file, vocabulary.special); !status) return Error{status.error()};
  if (Status status = read_flag(file, "tokenizer.ggml.add_bos_token", vocabulary.add_bos); !status) {
    return Error{status.error()};
  }
  if (Status status = read_flag(file, "tokenizer.ggml.add_eos_token", vocabulary.add_eos); !status) {
    return Error{status.error()};
  }
  return vocabulary;
}

Result<Tokenizer> tokenizer_from_gguf(const gguf::GgufFile& file) {
  Result<Vocabulary> vocabulary = vocabulary_from_gguf(file);
  if (!vocabulary) return std::move(vocabulary).take_error();
  return Tokenizer::create(std::move(*vocabulary));
}

}  // namespace hearth::tokenizer
