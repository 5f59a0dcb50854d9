#include "engine/loaded_model.h"

#include <chrono>
#include <map>

#include "chat/chat_registry.h"
#include "tokenizer/gguf_vocabulary.h"

namespace hearth::engine {
namespace {

// The numeric general.sampling.* keys, widened to double as model_sampling_options expects.
std::map<std::string, double, std::less<>> sampling_metadata(const gguf::GgufFile& file) {
  std::map<std::string, double, std::less<>> values;
  for (const gguf::KeyValue& entry : file.metadata()) {
    if (!entry.key.starts_with("general.sampling.")) continue;
    if (const auto* u = std::get_if<uint64_t>(&entry.value.data)) values[entry.key] = static_cast<double>(*u);
    if (const auto* i = std::get_if<int64_t>(&entry.value.data)) values[entry.key] = static_cast<double>(*i);
    if (const auto* f = std::get_if<double>(&entry.value.data)) values[entry.key] = *f;
  }
  return values;
}

}  // namespace

std::optional<ReasoningControl> LoadedModel::reasoning_control(int32_t budget) const {
  if (!chat) return std::nullopt;
  const std::optional<chat::ChatFormat::ReasoningMarkers> markers = chat->reasoning_markers();
  if (!markers) return std::nullopt;
  const int32_t open = tokenizer.find_token(markers->open);
  const int32_t close = tokenizer.find_token(markers->close);
  if (open < 0 || close < 0) return std::nullopt;
  return ReasoningControl{open, close, budget};
}

std::shared_ptr<const grammar::TokenTrie> LoadedModel::token_trie() const {
  std::call_once(trie_once_, [this] { trie_ = grammar::TokenTrie::build(tokenizer); });
  return trie_;
}

Result<std::shared_ptr<LoadedModel>> load_model(const std::filesystem::path& path,
                                                const std::optional<std::filesystem::path>& projector) {
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<models::TextModel>> model = models::load_text_model(path);
  if (!model) return make_error(model.error());
  const gguf::GgufFile& file = (*model)->file();
  Result<tokenizer::Tokenizer> tokenizer = tokenizer::tokenizer_from_gguf(file);
  if (!tokenizer) return make_error(path.string(), ": tokenizer: ", tokenizer.error());
  if (tokenizer->size() != static_cast<size_t>((*model)->n_vocab())) {
    return make_error(path.string(), ": the tokenizer has ", tokenizer->size(), " tokens but the model's output has ",
                      (*model)->n_vocab());
  }
  Result<SamplingOptions> recommended = model_sampling_options(sampling_metadata(file));
  if (!recommended) return make_error(path.string(), ": ", recommended.error());

  Result<std::unique_ptr<MediaEncoders>> media = std::unique_ptr<MediaEncoders>();
  if (projector || has_media_towers(file)) media = MediaEncoders::load(projector.value_or(path));
  if (!media) return make_error(media.error());
  auto loaded = std::make_shared<LoadedModel>(std::move(*tokenizer));
  loaded->architecture = file.get_string("general.architecture").value_or("");
  loaded->model = std::move(*model);
  loaded->recommended_sampling = std::move(*recommended);
  loaded->media = std::move(*media);
  loaded->family_sampling = family_sampling_defaults(loaded->architecture);
  Result<std::unique_ptr<chat::ChatFormat>> chat =
      chat::find_chat_format(loaded->architecture, file.get_string("tokenizer.chat_template").value_or(""));
  if (chat) loaded->chat = std::move(*chat);
  loaded->load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return loaded;
}

}  // namespace hearth::engine
