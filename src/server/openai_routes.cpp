// OpenAI-compatible routes (spec/api.md §3): /v1/chat/completions and /v1/completions with SSE streaming,
// /v1/models. Request fields map onto the same turns as the Ollama routes.
#include <atomic>
#include <climits>
#include <cstdlib>
#include <memory>
#include <random>

#include "engine/grammar/json_schema.h"
#include "server/http_util.h"
#include "server/logprobs_json.h"
#include "server/routes.h"
#include "server/turn.h"

namespace hearth::server {
namespace {

using nlohmann::json;

enum class Kind { chat, completion };

std::string random_id(const char* prefix) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 random(std::random_device{}());
  char text[64];
  std::snprintf(text, sizeof text, "%s%012llx%04llx", prefix, static_cast<unsigned long long>(random() & 0xFFFFFFFFFFFFull),
                static_cast<unsigned long long>(counter++ & 0xFFFF));
  return text;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// OpenAI logit_bias: {"token id": bias}, biases in [-100, 100] added to the logits (token ids beyond the
// vocabulary are refused when sampling starts).
Result<std::optional<std::vector<engine::LogitBias>>> logit_bias_field(const json& field) {
  if (field.is_null()) return std::optional<std::vector<engine::LogitBias>>{};
  if (!field.is_object()) return make_error("logit_bias must be an object of token ids to biases");
  std::vector<engine::LogitBias> biases;
  for (const auto& [key, value] : field.items()) {
    char* end = nullptr;
    const long long token = std::strtoll(key.c_str(), &end, 10);
    if (key.empty() || *end != '\0' || token < 0 || token > INT32_MAX) return make_error("logit_bias: '", key, "' is not a token id");
    if (!value.is_number() || value.get<double>() < -100.0 || value.get<double>() > 100.0) {
      return make_error("logit_bias: the bias of token ", key, " must be a number from -100 to 100");
    }
    biases.push_back({static_cast<int32_t>(token), value.get<float>()});
  }
  return std::optional<std::vector<engine::LogitBias>>{std::move(biases)};
}

// Reads the sampling fields OpenAI clients send (plus llama.cpp's non-standard extras and Ollama `options`).
std::optional<HttpError> sampling_fields(const json& body, const std::string& raw_body, TurnRequest& request) {
  Result<RequestSettings> settings = settings_from_options(body.value("options", json()));
  if (!settings) return HttpError{400, settings.error()};
  request.settings = std::move(*settings);
  json mapped = json::object();
  for (const char* key : {"temperature", "top_p", "top_k", "min_p", "typical_p", "repeat_penalty", "presence_penalty",
                          "frequency_penalty", "seed", "repeat_last_n", "image_max_tokens", "image_min_tokens", "think_budget"}) {
    if (body.contains(key) && !body[key].is_null()) mapped[key] = body[key];
  }
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (body.contains(key) && !body[key].is_null()) mapped["num_predict"] = body[key];
  }
  if (body.contains("stop") && !body["stop"].is_null()) mapped["stop"] = body["stop"];
  // OpenAI's own defaults for temperature and top_p are 1 (sampling_params.h).
  if (!mapped.contains("temperature") && !request.settings.sampling.temperature) mapped["temperature"] = 1.0;
  if (!mapped.contains("top_p") && !request.settings.sampling.top_p) mapped["top_p"] = 1.0;
  Result<RequestSettings> top_level = settings_from_options(mapped);
  if (!top_level) return HttpError{400, top_level.error()};
  request.settings.sampling = overlay(request.settings.sampling, top_level->sampling);
  if (top_level->image_max_tokens) request.settings.image_max_tokens = top_level->image_max_tokens;
  if (top_level->image_min_tokens) request.settings.image_min_tokens = top_level->image_min_tokens;
  if (top_level->think_budget) request.settings.think_budget = top_level->think_budget;
  if (body.value("n", 1) != 1) return HttpError{400, "only n = 1 is supported"};
  Result<std::optional<std::vector<engine::LogitBias>>> bias = logit_bias_field(body.value("logit_bias", json()));
  if (!bias) return HttpError{400, bias.error()};
  if (*bias) request.settings.sampling.logit_bias = std::move(**bias);
  Result<std::optional<engine::grammar::Grammar>> format =
      engine::grammar::grammar_from_openai_response_format(ordered_field(raw_body, "response_format"));
  if (!format) return HttpError{400, "response_format: " + format.error()};
  if (*format) request.output_grammar = std::make_shared<const engine::grammar::Grammar>(std::move(**format));
  return std::nullopt;
}

std::optional<HttpError> reasoning_field(const json& body, TurnRequest& request) {
  std::string effort;
  if (body.contains("reasoning_effort") && body["reasoning_effort"].is_string()) effort = body["reasoning_effort"];
  if (body.contains("reasoning") && body["reasoning"].is_object() && body["reasoning"].contains("effort")) {
    effort = body["reasoning"].value("effort", "");
  }
  if (body.contains("chat_template_kwargs") && body["chat_template_kwargs"].is_object() &&
      body["chat_template_kwargs"].contains("enable_thinking")) {
    request.think = body["chat_template_kwargs"].value("enable_thinking", false);
  }
  if (effort.empty()) return std::nullopt;
  if (effort == "none") {
    request.think = false;
  } else if (effort == "minimal" || effort == "low" || effort == "medium" || effort == "high" || effort == "max" ||
             effort == "xhigh" || effort == "ultra") {
    request.think = true;
  } else {
    return HttpError{400, "invalid reasoning effort '" + effort + "'"};
  }
  return std::nullopt;
}

const char* finish_reason(const engine::GenerationResult& result, bool tool_calls) {
  if (tool_calls) return "tool_calls";
  return result.reason == engine::FinishReason::length ? "length" : "stop";
}

json usage_json(const engine::GenerationResult& result) {
  return {{"prompt_tokens", result.prompt_tokens},
          {"completion_tokens", result.generated_tokens},
          {"total_tokens", result.prompt_tokens + result.generated_tokens},
          {"prompt_tokens_details", {{"cached_tokens", result.cached_prompt_tokens}}}};
}

json tool_call_json(const chat::ChatEvent& event, size_t index) {
  return {{"index", index},
          {"id", event.tool_call.id.empty() ? random_id("call_") : event.tool_call.id},
          {"type", "function"},
          {"function", {{"name", event.tool_call.name}, {"arguments", dump(event.tool_call.arguments)}}}};
}

struct StreamState {
  std::string id = random_id("chatcmpl-");
  int64_t created = unix_now();
  bool role_sent = false;
  size_t tool_calls = 0;
  bool include_usage = false;
};

void answer(ServerContext& context, Kind kind, const std::string& model, bool stream, bool include_usage,
            std::shared_ptr<Turn> turn, httplib::Response& res) {
  const char* object = kind == Kind::chat ? "chat.completion" : "text_completion";
  if (!stream) {
    engine::GenerationStream::Update all = turn->stream->drain();
    const engine::GenerationResult& result = *all.done;
    if (result.reason == engine::FinishReason::error) return openai_error(res, 500, result.error);
    std::string content, reasoning;
    json calls = json::array();
    for (const chat::ChatEvent& event : all.events) {
      if (event.type == chat::ChatEvent::Type::content) content += event.text;
      if (event.type == chat::ChatEvent::Type::thinking) reasoning += event.text;
      if (event.type == chat::ChatEvent::Type::tool_call) calls.push_back(tool_call_json(event, calls.size()));
    }
    json choice = {{"index", 0}, {"finish_reason", finish_reason(result, !calls.empty())}};
    const json logprobs = logprobs_json(turn->model().loaded->tokenizer, all.tokens);
    choice["logprobs"] = logprobs.empty() ? json(nullptr) : json{{"content", logprobs}};
    if (kind == Kind::chat) {
      json message = {{"role", "assistant"}, {"content", calls.empty() || !content.empty() ? json(content) : json(nullptr)}};
      if (!reasoning.empty()) message["reasoning_content"] = message["reasoning"] = reasoning;
      if (!calls.empty()) message["tool_calls"] = calls;
      choice["message"] = std::move(message);
    } else {
      choice["text"] = content;
    }
    return send_json(res, 200, {{"id", random_id(kind == Kind::chat ? "chatcmpl-" : "cmpl-")},
                                {"object", object},
                                {"created", unix_now()},
                                {"model", model},
                                {"system_fingerprint", "hearth"},
                                {"choices", json::array({choice})},
                                {"usage", usage_json(result)}});
  }
  auto state = std::make_shared<StreamState>();
  state->include_usage = include_usage;
  const std::string chunk_object = kind == Kind::chat ? "chat.completion.chunk" : "text_completion";
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [turn, state, kind, model, chunk_object](size_t, httplib::DataSink& sink) {
    if (!sink.is_writable()) {
      turn->stream->cancel();
      return false;
    }
    auto chunk = [&](json choice) {
      return "data: " + dump({{"id", state->id}, {"object", chunk_object}, {"created", state->created}, {"model", model},
                              {"system_fingerprint", "hearth"}, {"choices", json::array({std::move(choice)})}}) + "\n\n";
    };
    engine::GenerationStream::Update update = turn->stream->next(std::chrono::milliseconds(100));
    std::string out;
    if (kind == Kind::chat && !state->role_sent) {
      out += chunk({{"index", 0}, {"delta", {{"role", "assistant"}, {"content", ""}}}, {"finish_reason", nullptr}});
      state->role_sent = true;
    }
    for (const chat::ChatEvent& event : update.events) {
      json delta;
      if (kind == Kind::completion) {
        out += chunk({{"index", 0}, {"text", event.text}, {"finish_reason", nullptr}});
        continue;
      }
      if (event.type == chat::ChatEvent::Type::content) delta = {{"content", event.text}};
      if (event.type == chat::ChatEvent::Type::thinking) delta = {{"reasoning_content", event.text}, {"reasoning", event.text}};
      if (event.type == chat::ChatEvent::Type::tool_call) delta = {{"tool_calls", json::array({tool_call_json(event, state->tool_calls++)})}};
      out += chunk({{"index", 0}, {"delta", delta}, {"finish_reason", nullptr}});
    }
    if (update.done) {
      const engine::GenerationResult& result = *update.done;
      if (result.reason == engine::FinishReason::error) {
        out += "data: " + dump(openai_error_body(500, result.error)) + "\n\n";
      } else {
        json last = {{"index", 0}, {"finish_reason", finish_reason(result, state->tool_calls > 0)}};
        if (kind == Kind::chat) {
          last["delta"] = json::object();
        } else {
          last["text"] = "";
        }
        out += chunk(last);
        if (state->include_usage) {
          out += "data: " + dump({{"id", state->id}, {"object", chunk_object}, {"created", state->created}, {"model", model},
                                  {"choices", json::array()}, {"usage", usage_json(result)}}) + "\n\n";
        }
        out += "data: [DONE]\n\n";
      }
    }
    if (!out.empty() && !sink.write(out.data(), out.size())) {
      turn->stream->cancel();
      return false;
    }
    if (update.done) sink.done();
    return true;
  });
  static_cast<void>(context);
}

// "auto" / "none" (both leave the choice to the request's tools), "required", or {"type":"function",
// "function":{"name":...}}.
Result<ToolChoice> parse_tool_choice(const json& choice) {
  if (choice.is_null() || choice == "auto" || choice == "none") return ToolChoice{};
  if (choice == "required") return ToolChoice{ToolChoice::Mode::required, {}};
  if (choice.is_object() && choice.value("type", json()) == "function" && choice.contains("function") &&
      choice["function"].is_object() && choice["function"].value("name", json()).is_string()) {
    return ToolChoice{ToolChoice::Mode::function, choice["function"]["name"].get<std::string>()};
  }
  return make_error("tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}");
}

void handle(ServerContext& context, Kind kind, const httplib::Request& req, httplib::Response& res) {
  ++context.metrics.requests;
  std::optional<json> body = json_body(req, res, true);
  if (!body) return;
  TurnRequest request;
  const json model = body->value("model", json());
  if (!model.is_string() || model.get<std::string>().empty()) return openai_error(res, 400, "model is required");
  request.model = model.get<std::string>();
  if (std::optional<HttpError> error = sampling_fields(*body, req.body, request)) return openai_error(res, error->status, error->message);
  request.logprobs = body->value("logprobs", json(false)).is_boolean() ? body->value("logprobs", false) : body->value("logprobs", 0) > 0;
  const int top = kind == Kind::chat ? body->value("top_logprobs", 0) : (body->value("logprobs", json(false)).is_number() ? body->value("logprobs", 0) : 0);
  if (top < 0 || top > 20) return openai_error(res, 400, "top_logprobs must be between 0 and 20");
  request.top_logprobs = static_cast<size_t>(top);
  if (kind == Kind::chat) {
    if (std::optional<HttpError> error = reasoning_field(*body, request)) return openai_error(res, error->status, error->message);
    Result<ParsedConversation> conversation = openai_messages(body->value("messages", json()), context.remote_images);
    if (!conversation) return openai_error(res, 400, conversation.error());
    Result<std::vector<json>> tools = parse_tools(body->value("tools", json()));
    if (!tools) return openai_error(res, 400, tools.error());
    Result<ToolChoice> choice = parse_tool_choice(body->value("tool_choice", json()));
    if (!choice) return openai_error(res, 400, choice.error());
    if (choice->mode != ToolChoice::Mode::automatic && tools->empty()) return openai_error(res, 400, "tool_choice requires tools");
    if (body->value("tool_choice", json()) == "none") tools->clear();
    request.tool_choice = *choice;
    request.conversation = std::move(*conversation);
    request.tools = std::move(*tools);
  } else {
    const json prompt = body->value("prompt", json());
    if (!prompt.is_string()) return openai_error(res, 400, "prompt must be a string");
    if (body->value("echo", false)) return openai_error(res, 400, "echo is not supported");
    request.raw_prompt = prompt.get<std::string>();
  }
  std::variant<std::unique_ptr<Turn>, HttpError> started = start_turn(context.manager, request, &context.metrics);
  if (auto* error = std::get_if<HttpError>(&started)) {
    ++context.metrics.request_errors;
    return openai_error(res, error->status, error->message);
  }
  const bool stream = body->value("stream", false);
  const json stream_options = body->value("stream_options", json::object());
  const bool include_usage = stream_options.is_object() && stream_options.value("include_usage", false);
  answer(context, kind, request.model, stream, include_usage, std::shared_ptr<Turn>(std::move(std::get<std::unique_ptr<Turn>>(started))), res);
}

json model_object(const std::string& id, int64_t created) {
  return {{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "library"}};
}

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

void register_openai_routes(httplib::Server& http, ServerContext& context) {
  http.Post("/v1/chat/completions", [&context](const httplib::Request& req, httplib::Response& res) { handle(context, Kind::chat, req, res); });
  http.Post("/v1/completions", [&context](const httplib::Request& req, httplib::Response& res) { handle(context, Kind::completion, req, res); });
  http.Get("/v1/models", [&context](const httplib::Request&, httplib::Response& res) {
    json data = json::array();
    for (const store::ListedModel& model : context.manager.store().list()) data.push_back(model_object(model.name, unix_seconds(model.modified)));
    send_json(res, 200, {{"object", "list"}, {"data", data}});
  });
  http.Get(R"(/v1/models/(.+))", [&context](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    Result<store::ResolvedModel> resolved = context.manager.store().resolve_name(id);
    if (!resolved) return openai_error(res, 404, "model '" + id + "' not found");
    send_json(res, 200, model_object(resolved->name, unix_seconds(resolved->modified)));
  });
}

}  // namespace hearth::server
