#include "cli/run_local.h"

#include <cstdio>

#include "engine/chat_prompt.h"
#include "engine/generation_stream.h"

namespace hearth::cli {
namespace {

constexpr int64_t kDefaultContext = 4096;  // Ollama's default num_ctx

}  // namespace

Result<std::unique_ptr<LocalBackend>> LocalBackend::open(const store::ResolvedModel& resolved, const RunSettings& settings) {
  Result<std::shared_ptr<engine::LoadedModel>> model = engine::load_model(resolved.model_path, resolved.projector_path);
  if (!model) return make_error(model.error());
  auto backend = std::unique_ptr<LocalBackend>(new LocalBackend(std::move(*model), resolved));
  if (Status applied = backend->apply_settings(settings); !applied) return make_error(applied.error());
  return backend;
}

int64_t LocalBackend::context_size(const RunSettings& settings) const {
  const int64_t wanted = settings.num_ctx > 0 ? settings.num_ctx : kDefaultContext;
  const int64_t trained = model_->model->n_ctx_train();
  return trained > 0 ? std::min(wanted, trained) : wanted;
}

Status LocalBackend::apply_settings(const RunSettings& settings) {
  const int64_t n_ctx = context_size(settings);
  if (scheduler_ && n_ctx == scheduler_ctx_) return Status::success();
  scheduler_.reset();
  engine::SchedulerOptions options;
  options.n_parallel = 1;
  options.n_ctx = n_ctx;
  scheduler_ = std::make_unique<engine::Scheduler>(model_, options);
  scheduler_ctx_ = n_ctx;
  return Status::success();
}

Result<ReplyStats> LocalBackend::reply(const chat::ChatRequest& request, std::span<const engine::MediaItem> media, const RunSettings& settings,
                                       const std::function<void(const chat::ChatEvent&)>& on_event,
                                       const std::atomic<bool>& interrupted) {
  Result<engine::Prompt> prompt = engine::Prompt{};
  if (model_->chat) {
    engine::MediaLimits limits;
    limits.image_tokens = models::gemma4::image_token_budget(settings.image_min_tokens, settings.image_max_tokens);
    prompt = engine::chat_prompt(*model_, request, media, limits);
  } else {
    // Without a chat format the last message is the raw prompt.
    const auto* text = std::get_if<std::string>(&request.messages.back().content);
    prompt = engine::raw_prompt(*model_, text ? *text : std::string());
  }
  if (!prompt) return make_error(prompt.error());
  Result<engine::SamplingParams> sampling = model_->sampling_for(settings.sampling);
  if (!sampling) return make_error(sampling.error());

  engine::GenerationRequest generation;
  generation.prompt = std::move(*prompt);
  generation.sampling = std::move(*sampling);
  if (model_->chat && request.enable_thinking) generation.reasoning = model_->reasoning_control(settings.think_budget.value_or(-1));
  Result<std::shared_ptr<engine::GenerationStream>> stream =
      engine::GenerationStream::start(*scheduler_, std::move(generation), model_->chat ? model_->chat->make_parser() : nullptr);
  if (!stream) return make_error(stream.error());
  ReplyStats stats;
  bool cancel_sent = false;
  while (true) {
    engine::GenerationStream::Update update = (*stream)->next(std::chrono::milliseconds(50));
    for (const chat::ChatEvent& event : update.events) on_event(event);
    if (update.done) {
      stats.result = std::move(*update.done);
      break;
    }
    if (interrupted && !cancel_sent) {
      (*stream)->cancel();
      cancel_sent = true;
    }
  }
  if (stats.result.reason == engine::FinishReason::error) return make_error(stats.result.error);
  stats.load_seconds = reported_load_ ? 0.0 : model_->load_seconds;
  reported_load_ = true;
  return stats;
}

void LocalBackend::print_info() const {
  const models::TextModel& model = *model_->model;
  std::printf("  Model\n");
  std::printf("    %-20s %s\n", "name", resolved_.name.c_str());
  std::printf("    %-20s %s\n", "architecture", model_->architecture.c_str());
  std::printf("    %-20s %lld\n", "context length", static_cast<long long>(model.n_ctx_train()));
  std::printf("    %-20s %lld\n", "embedding length", static_cast<long long>(model.n_embd()));
  std::printf("    %-20s %lld\n", "vocabulary", static_cast<long long>(model.n_vocab()));
  std::printf("    %-20s %lld\n", "session context", static_cast<long long>(scheduler_ctx_));
  std::printf("    %-20s %s\n", "chat format", model_->chat ? std::string(model_->chat->name()).c_str() : "none (raw prompts)");
}

}  // namespace hearth::cli
