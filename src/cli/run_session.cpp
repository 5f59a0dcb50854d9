#include "cli/run_session.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "cli/run_local.h"
#include "cli/run_remote.h"
#include "cli/run_stats.h"
#include "cli/server_client.h"
#include "server/request_options.h"

namespace hearth::cli {
namespace {

std::atomic<bool> interrupted{false};

void on_interrupt(int) { interrupted = true; }

// Ctrl-C stops the current reply instead of the program while installed.
class InterruptScope {
 public:
  InterruptScope() {
    interrupted = false;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptScope() { sigaction(SIGINT, &previous_, nullptr); }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction previous_ {};
};

// Prints thinking and content as Ollama's CLI does: thinking between "Thinking..." and "...done thinking.".
class ReplyPrinter {
 public:
  ReplyPrinter(bool hide_thinking, bool colour) : hide_thinking_(hide_thinking), colour_(colour) {}

  void print(const chat::ChatEvent& event, chat::Message& reply) {
    switch (event.type) {
      case chat::ChatEvent::Type::thinking:
        reply.reasoning += event.text;
        if (hide_thinking_) return;
        if (!in_thinking_) {
          std::fputs(colour_ ? "\x1b[90mThinking...\n" : "Thinking...\n", stdout);
          in_thinking_ = true;
        }
        std::fputs(event.text.c_str(), stdout);
        break;
      case chat::ChatEvent::Type::content:
        end_thinking();
        std::get<std::string>(reply.content) += event.text;
        std::fputs(event.text.c_str(), stdout);
        break;
      case chat::ChatEvent::Type::tool_call:
        end_thinking();
        reply.tool_calls.push_back(event.tool_call);
        std::printf("[tool call] %s(%s)\n", event.tool_call.name.c_str(), event.tool_call.arguments.dump().c_str());
        break;
    }
    std::fflush(stdout);
  }

  void end_thinking() {
    if (!in_thinking_) return;
    std::fputs(colour_ ? "\n...done thinking.\x1b[0m\n\n" : "\n...done thinking.\n\n", stdout);
    in_thinking_ = false;
  }

 private:
  bool hide_thinking_;
  bool colour_;
  bool in_thinking_ = false;
};

// The model's stored parameters (Modelfile PARAMETER) under the flags the user gave.
Status apply_stored_parameters(const store::ResolvedModel& resolved, RunSettings& settings) {
  Result<server::RequestSettings> stored = server::settings_from_options(resolved.parameters);
  if (!stored) return make_error(resolved.name, ": parameters: ", stored.error());
  settings.sampling = server::overlay(stored->sampling, settings.sampling);
  if (settings.num_ctx == 0 && stored->num_ctx) settings.num_ctx = *stored->num_ctx;
  if (!settings.image_max_tokens) settings.image_max_tokens = stored->image_max_tokens;
  if (!settings.image_min_tokens) settings.image_min_tokens = stored->image_min_tokens;
  if (settings.system.empty()) settings.system = resolved.system;
  return Status::success();
}

std::vector<chat::Message> stored_messages(const store::ResolvedModel& resolved) {
  std::vector<chat::Message> messages;
  for (const auto& m : resolved.messages) {
    if (m.is_object() && m.contains("role") && m.contains("content") && m["role"].is_string() && m["content"].is_string()) {
      messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>(), {}, {}, {}, {}, {}});
    }
  }
  return messages;
}

}  // namespace

Result<OpenedBackend> open_run_backend(const std::string& model, RunSettings& settings, const std::string& projector) {
  if (!store::looks_like_path(model) && projector.empty()) {
    if (std::unique_ptr<httplib::Client> client = connect_to_server()) {
      auto remote = std::make_unique<RemoteBackend>(std::move(client), model);
      if (Status loaded = remote->preload(); !loaded) return make_error(loaded.error());
      return OpenedBackend{std::move(remote), {}};
    }
  }
  const store::ModelStore store(store::StoreConfig::from_environment());
  Result<store::ResolvedModel> resolved = store.resolve(model);
  if (!resolved) return make_error(resolved.error());
  if (!projector.empty()) resolved->projector_path = projector;
  if (Status applied = apply_stored_parameters(*resolved, settings); !applied) return make_error(applied.error());
  Result<std::unique_ptr<LocalBackend>> local = LocalBackend::open(*resolved, settings);
  if (!local) return make_error(local.error());
  return OpenedBackend{std::move(*local), stored_messages(*resolved)};
}

Result<std::unique_ptr<RunSession>> RunSession::open(const std::string& model, RunSettings settings, const std::string& projector) {
  Result<OpenedBackend> opened = open_run_backend(model, settings, projector);
  if (!opened) return make_error(opened.error());
  return std::unique_ptr<RunSession>(new RunSession(std::move(opened->backend), std::move(settings), std::move(opened->stored_messages)));
}

Status RunSession::ask(const std::string& text, std::vector<engine::MediaItem> attachments) {
  chat::ChatRequest request;
  if (!settings_.system.empty()) request.messages.push_back({"system", settings_.system, {}, {}, {}, {}, {}});
  request.messages.insert(request.messages.end(), messages_.begin(), messages_.end());
  chat::Message user{"user", text, {}, {}, {}, {}, {}};
  std::vector<engine::MediaItem> media = media_;
  if (!attachments.empty()) {
    std::vector<chat::ContentPart> parts;
    for (const engine::MediaItem& item : attachments) {
      parts.push_back({item.kind == engine::MediaKind::image ? chat::ContentPart::Type::image : chat::ContentPart::Type::audio, {}});
    }
    parts.push_back({chat::ContentPart::Type::text, text});
    user.content = std::move(parts);
    media.insert(media.end(), attachments.begin(), attachments.end());
  }
  request.messages.push_back(std::move(user));
  request.enable_thinking = settings_.think == ThinkMode::on;

  InterruptScope interrupt_scope;
  ReplyPrinter printer(settings_.hide_thinking, isatty(STDOUT_FILENO) != 0);
  chat::Message reply{"assistant", std::string(), {}, {}, {}, {}, {}};
  Result<ReplyStats> stats =
      backend_->reply(request, media, settings_, [&](const chat::ChatEvent& event) { printer.print(event, reply); }, interrupted);
  printer.end_thinking();
  std::fputs("\n", stdout);
  if (!std::get<std::string>(reply.content).empty() || !reply.tool_calls.empty()) std::fputs("\n", stdout);
  std::fflush(stdout);
  if (!stats) return make_error(stats.error());
  messages_.push_back(request.messages.back());
  messages_.push_back(std::move(reply));
  media_ = std::move(media);
  if (settings_.verbose) print_run_stats(stats->result, stats->load_seconds);
  return Status::success();
}

}  // namespace hearth::cli
