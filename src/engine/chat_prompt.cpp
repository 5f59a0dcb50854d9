#include "engine/chat_prompt.h"

namespace hearth::engine {
namespace {

struct MarkerTokens {
  int32_t placeholder, begin, end;
};

Result<MarkerTokens> marker_tokens(const tokenizer::Tokenizer& tokenizer, MediaKind kind) {
  const bool image = kind == MediaKind::image;
  const MarkerTokens tokens{tokenizer.find_token(image ? "<|image|>" : "<|audio|>"), tokenizer.find_token(image ? "<|image>" : "<|audio>"),
                            tokenizer.find_token(image ? "<image|>" : "<audio|>")};
  if (tokens.placeholder < 0 || tokens.begin < 0 || tokens.end < 0) {
    return make_error("the vocabulary lacks the ", image ? "image" : "audio", " marker tokens");
  }
  return tokens;
}

}  // namespace

Result<Prompt> chat_prompt(const LoadedModel& model, const chat::ChatRequest& request) {
  return chat_prompt(model, request, {}, {});
}

Result<Prompt> chat_prompt(const LoadedModel& model, const chat::ChatRequest& request, std::span<const MediaItem> media,
                           const MediaLimits& limits) {
  if (!model.chat) return make_error("this model has no chat format hearth knows; use a raw prompt");
  Result<std::string> text = model.chat->render(request);
  if (!text) return make_error(text.error());
  const std::vector<int32_t> tokens = model.tokenizer.tokenize(*text, false, true);
  Prompt prompt;
  if (media.empty()) {
    prompt.tokens = tokens;
    return prompt;
  }
  if (!model.media) return make_error("this model has no image or audio encoder (give its projector file)");
  Result<MarkerTokens> image = marker_tokens(model.tokenizer, MediaKind::image);
  Result<MarkerTokens> audio = marker_tokens(model.tokenizer, MediaKind::audio);
  size_t next = 0;
  for (int32_t token : tokens) {
    const bool is_image = image && token == image->placeholder;
    const bool is_audio = audio && token == audio->placeholder;
    if (!is_image && !is_audio) {
      prompt.tokens.push_back(token);
      continue;
    }
    if (next >= media.size()) return make_error("the prompt has more media markers than attachments");
    const MediaItem& item = media[next++];
    if ((item.kind == MediaKind::image) != is_image) return make_error("attachment ", next, " is not where its marker is");
    Result<SoftTokens> soft = model.media->encode(item, limits);
    if (!soft) return make_error("attachment ", next, ": ", soft.error());
    const MarkerTokens& markers = is_image ? *image : *audio;
    prompt.tokens.push_back(markers.begin);
    const auto first = static_cast<int32_t>(prompt.tokens.size());
    for (int64_t i = 0; i < soft->n_tokens; ++i) {
      prompt.embedding_indices.push_back(static_cast<int32_t>(prompt.tokens.size()));
      prompt.tokens.push_back(markers.placeholder);
    }
    prompt.embeddings.insert(prompt.embeddings.end(), soft->rows.begin(), soft->rows.end());
    if (is_image) prompt.bidirectional_spans.push_back({first, static_cast<int32_t>(prompt.tokens.size())});
    prompt.tokens.push_back(markers.end);
  }
  if (next != media.size()) return make_error("the prompt has fewer media markers than attachments");
  return prompt;
}

Prompt raw_prompt(const LoadedModel& model, std::string_view text) {
  Prompt prompt;
  prompt.tokens = model.tokenizer.tokenize(text, true, true);
  return prompt;
}

}  // namespace hearth::engine
