#pragma once
// One generation request as both APIs run it: find and load the model, build the prompt (a chat rendered by
// the model's format, or raw text), resolve sampling (request > model parameters > GGUF > family defaults),
// and start streaming. The lease keeps the model loaded until the turn is released.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/grammar/grammar.h"
#include "server/chat_messages.h"
#include "engine/generation_stream.h"
#include "server/model_manager.h"
#include "server/request_options.h"
#include "server/server_metrics.h"

namespace hearth::server {

struct HttpError {
  int status = 500;
  std::string message;
};

// OpenAI tool_choice: the model decides (auto), must not call (none: tools are not offered), or must call
// one of the tools (required) or the named function.
struct ToolChoice {
  enum class Mode { automatic, required, function };
  Mode mode = Mode::automatic;
  std::string function;  // Mode::function
};

struct TurnRequest {
  std::string model;
  // Exactly one of: a conversation (rendered with the chat format) or a raw prompt.
  std::optional<ParsedConversation> conversation;
  std::optional<std::string> raw_prompt;
  std::string system;  // Ollama /api/generate `system`; overrides the model's
  std::vector<nlohmann::json> tools;
  ToolChoice tool_choice;
  std::optional<bool> think;
  RequestSettings settings;
  KeepAlive keep_alive;
  bool logprobs = false;
  size_t top_logprobs = 0;
  bool truncate = true;
  std::shared_ptr<const engine::grammar::Grammar> output_grammar;  // format / response_format
};

// The request's `key` (format, response_format) with its object keys in the order the client wrote them,
// which JSON schema property order depends on (the routes' nlohmann::json sorts keys).
nlohmann::ordered_json ordered_field(const std::string& body, const char* key);

// One request's hold on its model, from start_turn() until the answer is written; at the end it counts the
// generation in the metrics and logs it.
class Turn {
 public:
  Turn(ModelManager& manager, ModelManager::Lease lease, KeepAlive keep_alive, ServerMetrics* metrics = nullptr)
      : manager_(manager), lease_(std::move(lease)), keep_alive_(keep_alive), metrics_(metrics) {}
  ~Turn();
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;

  RunningModel& model() { return *lease_.model; }
  double load_seconds() const { return lease_.load_seconds; }
  std::shared_ptr<engine::GenerationStream> stream;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

 private:
  ModelManager& manager_;
  ModelManager::Lease lease_;
  KeepAlive keep_alive_;
  ServerMetrics* metrics_;
};

// `metrics` (may be null) counts the generation when the turn ends.
std::variant<std::unique_ptr<Turn>, HttpError> start_turn(ModelManager& manager, const TurnRequest& request,
                                                          ServerMetrics* metrics = nullptr);

// Finds and acquires the model (alone, for load requests with an empty prompt), loaded for `num_ctx` (else
// the model's parameter, else the server's default).
std::variant<ModelManager::Lease, HttpError> load_only(ModelManager& manager, const std::string& model,
                                                       std::optional<int64_t> num_ctx = std::nullopt);

// Nanoseconds, as the Ollama API reports durations.
inline int64_t to_ns(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

}  // namespace hearth::server
