#include "server/turn.h"

#include <algorithm>

#include "engine/chat_prompt.h"
#include "engine/grammar/json_schema.h"
#include "server/request_log.h"

namespace hearth::server {
namespace {

bool has_capability(const RunningModel& model, const char* capability) {
  const auto& caps = model.info.capabilities;
  return std::find(caps.begin(), caps.end(), capability) != caps.end();
}

// The grammar the answer must follow: forced tool calls, or the requested format; null for free text.
std::variant<std::shared_ptr<const engine::grammar::Grammar>, HttpError> output_grammar(const engine::LoadedModel& loaded,
                                                                                        const TurnRequest& request) {
  if (request.tool_choice.mode == ToolChoice::Mode::automatic) return request.output_grammar;
  if (request.output_grammar) return HttpError{400, "a forced tool_choice cannot be combined with a response format"};
  if (!loaded.chat) return HttpError{400, "this model has no chat format, so tool calls cannot be forced"};
  const std::string only = request.tool_choice.mode == ToolChoice::Mode::function ? request.tool_choice.function : std::string();
  Result<engine::grammar::Grammar> grammar = loaded.chat->tool_call_grammar(loaded.tokenizer, request.tools, only);
  if (!grammar) return HttpError{400, grammar.error()};
  return std::make_shared<const engine::grammar::Grammar>(std::move(*grammar));
}

}  // namespace

nlohmann::ordered_json ordered_field(const std::string& body, const char* key) {
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains(key)) return nullptr;
  return parsed[key];
}

std::variant<ModelManager::Lease, HttpError> load_only(ModelManager& manager, const std::string& model, std::optional<int64_t> num_ctx) {
  if (model.empty()) return HttpError{400, "model is required"};
  Result<store::ResolvedModel> resolved = manager.resolve(model);
  if (!resolved) return HttpError{404, "model '" + model + "' not found"};
  if (!num_ctx) {
    Result<RequestSettings> parameters = settings_from_options(resolved->parameters);
    if (parameters) num_ctx = parameters->num_ctx;
  }
  Result<ModelManager::Lease> lease = manager.acquire(*resolved, num_ctx);
  if (!lease) return HttpError{lease.error().rfind("server busy", 0) == 0 ? 503 : 500, lease.error()};
  return std::move(*lease);
}

Turn::~Turn() {
  std::optional<engine::GenerationResult> result = stream ? stream->final_result() : std::nullopt;
  if (stream) {
    nlohmann::json fields = {{"model", lease_.model->name}};
    if (result) {
      if (metrics_) metrics_->record(*result);
      static constexpr const char* kReasons[] = {"stop", "length", "cancelled", "error"};
      fields["finish"] = kReasons[static_cast<int>(result->reason)];
      if (result->reason == engine::FinishReason::error) fields["error"] = result->error;
      fields["prompt_tokens"] = result->prompt_tokens;
      fields["cached_prompt_tokens"] = result->cached_prompt_tokens;
      fields["generated_tokens"] = result->generated_tokens;
      fields["queue_seconds"] = result->queue_seconds;
      fields["prompt_seconds"] = result->prompt_seconds;
      fields["generation_seconds"] = result->generation_seconds;
    } else {
      fields["finish"] = "client_gone";
    }
    log_event(result && result->reason == engine::FinishReason::error ? "error" : "info", "generation", fields);
  }
  manager_.release(lease_.model, keep_alive_);
}

std::variant<std::unique_ptr<Turn>, HttpError> start_turn(ModelManager& manager, const TurnRequest& request, ServerMetrics* metrics) {
  std::variant<ModelManager::Lease, HttpError> leased = load_only(manager, request.model, request.settings.num_ctx);
  if (auto* error = std::get_if<HttpError>(&leased)) return *error;
  auto turn = std::make_unique<Turn>(manager, std::move(std::get<ModelManager::Lease>(leased)), request.keep_alive, metrics);
  RunningModel& model = turn->model();
  const engine::LoadedModel& loaded = *model.loaded;

  if (request.think.value_or(false) && !has_capability(model, "thinking")) {
    return HttpError{400, "\"" + request.model + "\" does not support thinking"};
  }
  if (!request.tools.empty() && !has_capability(model, "tools")) {
    return HttpError{400, "\"" + request.model + "\" does not support tools"};
  }

  Result<RequestSettings> model_params = settings_from_options(model.resolved.parameters);
  if (!model_params) return HttpError{500, "model parameters: " + model_params.error()};

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
    // The image-token budget: the request's, else the model's parameters', else the server's.
    const RequestSettings& settings = request.settings;
    engine::MediaLimits limits;
    limits.image_tokens = models::gemma4::image_token_budget(
        settings.image_min_tokens ? settings.image_min_tokens : model_params->image_min_tokens,
        settings.image_max_tokens ? settings.image_max_tokens : model_params->image_max_tokens, manager.options().image_tokens);
    Result<engine::Prompt> rendered = engine::chat_prompt(loaded, chat, media, limits);
    if (!rendered) return HttpError{400, rendered.error()};
    prompt = std::move(*rendered);
  }

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
  std::variant<std::shared_ptr<const engine::grammar::Grammar>, HttpError> grammar = output_grammar(loaded, request);
  if (auto* error = std::get_if<HttpError>(&grammar)) return *error;
  if (auto& chosen = std::get<std::shared_ptr<const engine::grammar::Grammar>>(grammar)) {
    Result<std::unique_ptr<engine::grammar::TokenConstraint>> constraint =
        engine::grammar::TokenConstraint::create(chosen, loaded.token_trie());
    if (!constraint) return HttpError{400, constraint.error()};
    generation.constraint = std::move(*constraint);
  }
  const int32_t think_budget = request.settings.think_budget.value_or(model_params->think_budget.value_or(manager.options().think_budget));
  if (!request.raw_prompt && request.think.value_or(false)) generation.reasoning = loaded.reasoning_control(think_budget);
  std::unique_ptr<chat::ChatParser> parser = (!request.raw_prompt && loaded.chat) ? loaded.chat->make_parser() : nullptr;
  Result<std::shared_ptr<engine::GenerationStream>> stream = engine::GenerationStream::start(*model.scheduler, std::move(generation), std::move(parser));
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
