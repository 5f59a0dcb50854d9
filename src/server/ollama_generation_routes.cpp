// POST /api/chat and /api/generate (spec/api.md §2.1–2.2): NDJSON streams by default, one object with
// "stream": false; load / unload requests when there is nothing to generate.
#include <memory>

#include "engine/grammar/json_schema.h"
#include "server/http_util.h"
#include "server/logprobs_json.h"
#include "server/routes.h"
#include "server/turn.h"

namespace hearth::server {
namespace {

using nlohmann::json;

enum class Shape { chat, generate };

json tool_calls_json(const std::vector<chat::ChatEvent>& events) {
  json calls = json::array();
  for (const chat::ChatEvent& event : events) {
    if (event.type != chat::ChatEvent::Type::tool_call) continue;
    calls.push_back({{"function", {{"index", calls.size()}, {"name", event.tool_call.name}, {"arguments", event.tool_call.arguments}}}});
  }
  return calls;
}

// One NDJSON object: text deltas of one kind, tool calls, or the final statistics.
json base_object(const std::string& model) { return {{"model", model}, {"created_at", rfc3339_now()}}; }

json delta_object(Shape shape, const std::string& model, const std::string& content, const std::string& thinking, const json& calls) {
  json out = base_object(model);
  if (shape == Shape::chat) {
    json message = {{"role", "assistant"}, {"content", content}};
    if (!thinking.empty()) message["thinking"] = thinking;
    if (!calls.empty()) message["tool_calls"] = calls;
    out["message"] = std::move(message);
  } else {
    out["response"] = content;
    if (!thinking.empty()) out["thinking"] = thinking;
    if (!calls.empty()) out["tool_calls"] = calls;
  }
  out["done"] = false;
  return out;
}

void add_statistics(json& out, const engine::GenerationResult& result, const Turn& turn) {
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - turn.started).count() + turn.load_seconds();
  out["done"] = true;
  out["done_reason"] = result.reason == engine::FinishReason::length ? "length" : "stop";
  out["total_duration"] = to_ns(total);
  out["load_duration"] = to_ns(turn.load_seconds());
  out["prompt_eval_count"] = result.prompt_tokens - result.cached_prompt_tokens;
  out["prompt_eval_duration"] = to_ns(result.prompt_seconds);
  out["prompt_cache_count"] = result.cached_prompt_tokens;
  out["eval_count"] = result.generated_tokens;
  out["eval_duration"] = to_ns(result.generation_seconds);
}

// Splits a batch of chat events into text of each kind and completed tool calls.
struct Collected {
  std::string content, thinking;
  json calls = json::array();
};

Collected collect(const std::vector<chat::ChatEvent>& events) {
  Collected c;
  for (const chat::ChatEvent& event : events) {
    if (event.type == chat::ChatEvent::Type::content) c.content += event.text;
    if (event.type == chat::ChatEvent::Type::thinking) c.thinking += event.text;
  }
  c.calls = tool_calls_json(events);
  return c;
}

// Fills the turn request from the fields /api/chat and /api/generate share.
std::optional<HttpError> common_fields(const json& body, const std::string& raw_body, TurnRequest& request) {
  Result<RequestSettings> settings = settings_from_options(body.value("options", json()));
  if (!settings) return HttpError{400, settings.error()};
  request.settings = std::move(*settings);
  Result<KeepAlive> keep = parse_keep_alive(body.value("keep_alive", json()));
  if (!keep) return HttpError{400, keep.error()};
  request.keep_alive = *keep;
  Result<std::optional<bool>> think = parse_think(body);
  if (!think) return HttpError{400, think.error()};
  request.think = *think;
  Result<std::optional<engine::grammar::Grammar>> format = engine::grammar::grammar_from_ollama_format(ordered_field(raw_body, "format"));
  if (!format) return HttpError{400, "format: " + format.error()};
  if (*format) request.output_grammar = std::make_shared<const engine::grammar::Grammar>(std::move(**format));
  request.logprobs = body.value("logprobs", false);
  const int top = body.value("top_logprobs", 0);
  if (top < 0 || top > 20) return HttpError{400, "top_logprobs must be between 0 and 20"};
  request.top_logprobs = static_cast<size_t>(top);
  request.truncate = body.value("truncate", true);
  return std::nullopt;
}

void answer_load(ServerContext& context, const std::string& model, const KeepAlive& keep, Shape shape, httplib::Response& res) {
  const bool unload = keep.duration && keep.duration->count() == 0 && !keep.forever;
  std::variant<ModelManager::Lease, HttpError> lease = load_only(context.manager, model);
  if (auto* error = std::get_if<HttpError>(&lease)) return ollama_error(res, error->status, error->message);
  context.manager.release(std::get<ModelManager::Lease>(lease).model, keep);
  if (unload) context.manager.unload(std::get<ModelManager::Lease>(lease).model->name);
  json out = base_object(model);
  if (shape == Shape::chat) {
    out["message"] = {{"role", "assistant"}, {"content", ""}};
  } else {
    out["response"] = "";
  }
  out["done"] = true;
  out["done_reason"] = unload ? "unload" : "load";
  send_json(res, 200, out);
}

void answer(Shape shape, const std::string& model_name, bool stream, std::shared_ptr<Turn> turn,
            httplib::Response& res) {
  if (!stream) {
    engine::GenerationStream::Update all = turn->stream->drain();
    const engine::GenerationResult& result = *all.done;
    if (result.reason == engine::FinishReason::error) return ollama_error(res, 500, result.error);
    const Collected c = collect(all.events);
    json out = delta_object(shape, model_name, c.content, c.thinking, c.calls);
    add_statistics(out, result, *turn);
    if (turn->model().loaded && !all.tokens.empty() && all.tokens.front().logprobs) out["logprobs"] = logprobs_json(turn->model().loaded->tokenizer, all.tokens);
    return send_json(res, 200, out);
  }
  res.set_chunked_content_provider("application/x-ndjson", [shape, model_name, turn](size_t, httplib::DataSink& sink) {
    if (!sink.is_writable()) {
      turn->stream->cancel();
      return false;
    }
    engine::GenerationStream::Update update = turn->stream->next(std::chrono::milliseconds(100));
    const Collected c = collect(update.events);
    std::string lines;
    const json logprobs = logprobs_json(turn->model().loaded->tokenizer, update.tokens);
    if (!c.thinking.empty()) lines += dump(delta_object(shape, model_name, "", c.thinking, json::array())) + "\n";
    if (!c.content.empty() || !c.calls.empty() || !logprobs.empty()) {
      json line = delta_object(shape, model_name, c.content, "", c.calls);
      if (!logprobs.empty()) line["logprobs"] = logprobs;
      lines += dump(line) + "\n";
    }
    if (update.done) {
      if (update.done->reason == engine::FinishReason::error) {
        lines += dump({{"error", update.done->error}}) + "\n";
      } else {
        json last = delta_object(shape, model_name, "", "", json::array());
        add_statistics(last, *update.done, *turn);
        lines += dump(last) + "\n";
      }
    }
    if (!lines.empty() && !sink.write(lines.data(), lines.size())) {
      turn->stream->cancel();
      return false;
    }
    if (update.done) sink.done();
    return true;
  });
}

void handle(ServerContext& context, Shape shape, const httplib::Request& req, httplib::Response& res) {
  ++context.metrics.requests;
  std::optional<json> body = json_body(req, res, false);
  if (!body) return;
  TurnRequest request;
  const json model = body->value("model", json());
  if (!model.is_string() || model.get<std::string>().empty()) return ollama_error(res, 400, "model is required");
  request.model = model.get<std::string>();
  if (std::optional<HttpError> error = common_fields(*body, req.body, request)) return ollama_error(res, error->status, error->message);
  const bool stream = body->value("stream", true);

  if (shape == Shape::chat) {
    Result<ParsedConversation> conversation = ollama_messages(body->value("messages", json::array()));
    if (!conversation) return ollama_error(res, 400, conversation.error());
    if (conversation->messages.empty()) return answer_load(context, request.model, request.keep_alive, shape, res);
    Result<std::vector<json>> tools = parse_tools(body->value("tools", json()));
    if (!tools) return ollama_error(res, 400, tools.error());
    request.conversation = std::move(*conversation);
    request.tools = std::move(*tools);
  } else {
    const json prompt = body->value("prompt", json(""));
    if (!prompt.is_string()) return ollama_error(res, 400, "prompt must be a string");
    if (prompt.get<std::string>().empty()) return answer_load(context, request.model, request.keep_alive, shape, res);
    const bool raw = body->value("raw", false);
    const json system = body->value("system", json(""));
    if (raw && (body->contains("template") || (system.is_string() && !system.get<std::string>().empty()) || body->contains("context"))) {
      return ollama_error(res, 400, "raw mode does not support template, system, or context");
    }
    // Attachments go into the user message, as /api/chat's `images`.
    json message = {{"role", "user"}, {"content", prompt}};
    if (body->contains("images")) message["images"] = (*body)["images"];
    if (raw && message.contains("images") && !message["images"].empty()) return ollama_error(res, 400, "raw mode does not support images");
    if (raw) {
      request.raw_prompt = prompt.get<std::string>();
    } else {
      request.system = system.is_string() ? system.get<std::string>() : "";
      Result<ParsedConversation> conversation = ollama_messages(json::array({message}));
      if (!conversation) return ollama_error(res, 400, conversation.error());
      request.conversation = std::move(*conversation);
    }
  }
  std::variant<std::unique_ptr<Turn>, HttpError> started = start_turn(context.manager, request, &context.metrics);
  if (auto* error = std::get_if<HttpError>(&started)) {
    ++context.metrics.request_errors;
    return ollama_error(res, error->status, error->message);
  }
  answer(shape, request.model, stream, std::shared_ptr<Turn>(std::move(std::get<std::unique_ptr<Turn>>(started))), res);
}

}  // namespace

void register_ollama_generation_routes(httplib::Server& http, ServerContext& context) {
  http.Post("/api/chat", [&context](const httplib::Request& req, httplib::Response& res) { handle(context, Shape::chat, req, res); });
  http.Post("/api/generate", [&context](const httplib::Request& req, httplib::Response& res) { handle(context, Shape::generate, req, res); });
}

}  // namespace hearth::server
