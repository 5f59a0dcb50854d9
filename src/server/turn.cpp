#include "server/turn.h"

#include <algorithm>

#include "engine/chat_prompt.h"
#include "engine/grammar/json_schema.h"

namespace hearth::server {
namespace {

bool has_capability(const RunningModel& model, const char* capability) {
  const auto& caps = model.info.capabilities;
  return std::find(caps.begin(), caps.end(), capability) != caps.end();
}

}  // namespace

nlohmann::ordered_json ordered_field(const std::string& body, const char* key) {
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains(key)) return nullptr;
  return parsed[key];
}

std::variant<ModelManager::Lease, HttpError> load_only(ModelManager& manager, const std::string& model) {
  if (model.empty()) return HttpError{400, "model is required"};
  Result<store::ResolvedModel> resolved = manager.resolve(model);
  if (!resolved) return HttpError{404, "model '" + model + "' not found"};
  Result<ModelManager::Lease> lease = manager.acquire(*resolved);
  if (!lease) return HttpError{500, lease.error()};
  return std::move(*lease);
}

std::variant<std::unique_ptr<Turn>, HttpError> start_turn(ModelManager& manager, const TurnRequest& request) {
  std::variant<ModelManager::Lease, HttpError> leased = load_only(manager, request.model);
  if (auto* error = std::get_if<HttpError>(&leased)) return *error;
  auto turn = std::make_unique<Turn>(manager, std::move(std::get<ModelManager::Lease>(leased)), request.keep_alive);
  RunningModel& model = turn->model();
  const engine::LoadedModel& loaded = *model.loaded;

  if (request.think.value_or(false) && !has_capability(model, "thinking")) {
    return HttpError{400, "\"" + request.model + "\" does not support thinking"};
  }
  if (!request.tools.empty() && !has_capability(model, "tools")) {
    return HttpError{400, "\"" + request.model + "\" does not support tools"};
  }

  engine::Prompt prompt;
  if (request.raw_prompt) {
    prompt = engine::raw_prompt(loaded, *request.raw_prompt);
  } else {
    chat::ChatRequest chat;
    chat.messages = request.conversation ? request.conversation->messages : std::vector<chat::Message>{};
    const bool has_system = std::any_of(chat.messages.begin(), chat.messages.end(),
                                        [](const chat::Message& m) { return m.role == "system" || m.role == "developer"; });
    const std::string system = !request.system.empty() ? request.system : model.resolved.system;
    if (!has_system && !system.empty()) chat.messages.insert(chat.messages.begin(), {"system", system, {}, {}, {}, {}, {}});
    chat.tools = request.tools;
    chat.enable_thinking = request.think.value_or(false);
    const std::vector<engine::MediaItem> no_media;
    const std::vector<engine::MediaItem>& media = request.conversation ? request.conversation->media : no_media;
    for (const engine::MediaItem& item : media) {
      const bool supported = loaded.media && (item.kind == engine::MediaKind::image ? loaded.media->has_vision() : loaded.media->has_audio());
      if (!supported) {
        return HttpError{400, "\"" + request.model + "\" does not support " + (item.kind == engine::MediaKind::image ? "image" : "audio") + " input"};
      }
    }
    Result<engine::Prompt> rendered = engine::chat_prompt(loaded, chat, media, request.media_limits);
    if (!rendered) return HttpError{400, rendered.error()};
    prompt = std::move(*rendered);
  }

  Result<RequestSettings> model_params = settings_from_options(model.resolved.parameters);
  if (!model_params) return HttpError{500, "model parameters: " + model_params.error()};
  const engine::SamplingOptions options = overlay(model_params->sampling, request.settings.sampling);
  Result<engine::SamplingParams> sampling = loaded.sampling_for(options);
  if (!sampling) return HttpError{400, sampling.error()};

  engine::GenerationRequest generation;
  generation.prompt = std::move(prompt);
  generation.sampling = std::move(*sampling);
  generation.num_ctx = request.settings.num_ctx.value_or(model_params->num_ctx.value_or(0));
  generation.num_keep = request.settings.num_keep.value_or(model_params->num_keep.value_or(4));
  generation.overflow = request.truncate ? engine::ContextOverflow::truncate : engine::ContextOverflow::error;
  generation.logprobs = request.logprobs;
  generation.top_logprobs = request.top_logprobs;
  if (request.output_grammar) {
    Result<std::unique_ptr<engine::grammar::TokenConstraint>> constraint =
        engine::grammar::TokenConstraint::create(request.output_grammar, loaded.token_trie());
    if (!constraint) return HttpError{400, constraint.error()};
    generation.constraint = std::move(*constraint);
  }
  std::unique_ptr<chat::ChatParser> parser = (!request.raw_prompt && loaded.chat) ? loaded.chat->make_parser() : nullptr;
  Result<std::shared_ptr<GenerationStream>> stream = GenerationStream::start(*model.scheduler, std::move(generation), std::move(parser));
  if (!stream) {
    const std::string& message = stream.error();
    if (message.find("queue is full") != std::string::npos) {
      return HttpError{503, "server busy, please try again. maximum pending requests exceeded"};
    }
    return HttpError{400, message};
  }
  turn->stream = std::move(*stream);
  return turn;
}

}  // namespace hearth::server
