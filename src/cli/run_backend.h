#pragma once
// Where `hearth run` gets its replies: a model loaded in this process, or a running `hearth serve`.
#include <atomic>
#include <functional>
#include <span>
#include <string>

#include "chat/chat_types.h"
#include "cli/run_options.h"
#include "core/result.h"
#include "engine/generation.h"
#include "engine/media_input.h"

namespace hearth::cli {

struct ReplyStats {
  engine::GenerationResult result;
  double load_seconds = 0.0;
};

class RunBackend {
 public:
  virtual ~RunBackend() = default;
  // Generates the assistant turn for `request`, reporting thinking / content / tool calls as they come;
  // stops early (keeping what came) once `interrupted` is set.
  // `media`: the conversation's attachments in the order of their content parts.
  virtual Result<ReplyStats> reply(const chat::ChatRequest& request, std::span<const engine::MediaItem> media, const RunSettings& settings,
                                   const std::function<void(const chat::ChatEvent&)>& on_event,
                                   const std::atomic<bool>& interrupted) = 0;
  // Applies settings that need a new context (num_ctx).
  virtual Status apply_settings(const RunSettings& settings) = 0;
  virtual void print_info() const = 0;
};

}  // namespace hearth::cli
