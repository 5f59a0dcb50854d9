#pragma once
// One `hearth run` conversation: keeps the messages, streams each reply to stdout (thinking apart from the
// content) and prints Ollama's statistics block when verbose. Model names go to a running `hearth serve`
// when there is one (as `ollama run` does); files, and names when no server runs, load in this process.
#include <memory>
#include <string>
#include <vector>

#include "chat/chat_types.h"
#include "cli/run_backend.h"
#include "cli/run_options.h"
#include "core/result.h"

namespace hearth::cli {

// Where a model's replies come from: a running `hearth serve` for a model name (when one answers and no
// projector is given), else the model loaded in this process with its stored parameters applied under
// `settings`. `projector` overrides the model's own projector.
struct OpenedBackend {
  std::unique_ptr<RunBackend> backend;
  std::vector<chat::Message> stored_messages;  // the model's Modelfile MESSAGE lines (loaded here only)
};
Result<OpenedBackend> open_run_backend(const std::string& model, RunSettings& settings, const std::string& projector = {});

class RunSession {
 public:
  // `projector` overrides the model's own projector (a model file path only).
  static Result<std::unique_ptr<RunSession>> open(const std::string& model, RunSettings settings,
                                                  const std::string& projector = {});

  // Sends one user message and streams the reply; Ctrl-C stops the reply (the partial answer is kept).
  Status ask(const std::string& text, std::vector<engine::MediaItem> attachments = {});
  // Forgets the conversation so far.
  void clear() {
    messages_.clear();
    media_.clear();
  }
  RunSettings& settings() { return settings_; }
  Status apply_settings() { return backend_->apply_settings(settings_); }
  void print_info() const { backend_->print_info(); }

 private:
  RunSession(std::unique_ptr<RunBackend> backend, RunSettings settings, std::vector<chat::Message> seed)
      : backend_(std::move(backend)), settings_(std::move(settings)), messages_(std::move(seed)) {}

  std::unique_ptr<RunBackend> backend_;
  RunSettings settings_;
  std::vector<chat::Message> messages_;
  std::vector<engine::MediaItem> media_;  // every attachment of messages_, in order
};

}  // namespace hearth::cli
