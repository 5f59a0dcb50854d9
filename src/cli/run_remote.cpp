#include "cli/run_remote.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "server/base64.h"

namespace hearth::cli {
namespace {

using nlohmann::json;

// Attachments travel base64-encoded in the message's `images`, in the order of its media parts.
json message_json(const chat::Message& message, std::span<const engine::MediaItem> media, size_t& next_media) {
  json out = {{"role", message.role}};
  if (const auto* text = std::get_if<std::string>(&message.content)) {
    out["content"] = *text;
  } else {
    std::string joined;
    for (const chat::ContentPart& part : std::get<std::vector<chat::ContentPart>>(message.content)) {
      if (part.type == chat::ContentPart::Type::text) {
        joined += part.text;
      } else if (next_media < media.size()) {
        out["images"].push_back(server::encode_base64(media[next_media++].bytes));
      }
    }
    out["content"] = joined;
  }
  if (!message.reasoning.empty()) out["thinking"] = message.reasoning;
  if (!message.tool_calls.empty()) {
    out["tool_calls"] = json::array();
    for (const chat::ToolCall& call : message.tool_calls) {
      out["tool_calls"].push_back({{"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    }
  }
  return out;
}

json options_json(const RunSettings& settings) {
  const engine::SamplingOptions& s = settings.sampling;
  json options = json::object();
  auto put = [&](const char* key, const auto& value) {
    if (value) options[key] = *value;
  };
  put("temperature", s.temperature);
  put("top_k", s.top_k);
  put("top_p", s.top_p);
  put("min_p", s.min_p);
  put("typical_p", s.typical_p);
  put("repeat_penalty", s.repeat_penalty);
  put("repeat_last_n", s.repeat_last_n);
  put("presence_penalty", s.presence_penalty);
  put("frequency_penalty", s.frequency_penalty);
  put("seed", s.seed);
  put("num_predict", s.num_predict);
  put("stop", s.stop);
  if (settings.num_ctx > 0) options["num_ctx"] = settings.num_ctx;
  put("image_max_tokens", settings.image_max_tokens);
  put("think_budget", settings.think_budget);
  put("image_min_tokens", settings.image_min_tokens);
  return options;
}

std::string error_of(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  return parsed.is_object() && parsed.contains("error") && parsed["error"].is_string() ? parsed["error"].get<std::string>() : body;
}

}  // namespace

Status RemoteBackend::preload() {
  auto res = client_->Post("/api/generate", json{{"model", model_}}.dump(), "application/json");
  if (!res) return make_error("the server did not answer");
  if (res->status != 200) return make_error(error_of(res->body));
  return Status::success();
}

Result<ReplyStats> RemoteBackend::reply(const chat::ChatRequest& request, std::span<const engine::MediaItem> media, const RunSettings& settings,
                                        const std::function<void(const chat::ChatEvent&)>& on_event,
                                        const std::atomic<bool>& interrupted) {
  json body = {{"model", model_}, {"messages", json::array()}, {"stream", true}, {"options", options_json(settings)}};
  size_t next_media = 0;
  for (const chat::Message& message : request.messages) body["messages"].push_back(message_json(message, media, next_media));
  if (settings.think != ThinkMode::model_default) body["think"] = settings.think == ThinkMode::on;

  ReplyStats stats;
  std::string pending, error, raw_body;
  int status = 0;
  httplib::Request req;
  req.method = "POST";
  req.path = "/api/chat";
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  req.response_handler = [&](const httplib::Response& response) {
    status = response.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
    if (status != 200) {
      raw_body.append(data, length);
      return true;
    }
    pending.append(data, length);
    for (size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
      const json line = json::parse(pending.substr(0, end), nullptr, false);
      if (!line.is_object()) continue;
      if (line.contains("error")) {
        error = line["error"].is_string() ? line["error"].get<std::string>() : line["error"].dump();
        continue;
      }
      const json message = line.value("message", json::object());
      if (message.contains("thinking") && message["thinking"].is_string() && !message["thinking"].get<std::string>().empty()) {
        on_event({chat::ChatEvent::Type::thinking, message["thinking"].get<std::string>(), {}});
      }
      if (message.contains("content") && message["content"].is_string() && !message["content"].get<std::string>().empty()) {
        on_event({chat::ChatEvent::Type::content, message["content"].get<std::string>(), {}});
      }
      for (const json& call : message.value("tool_calls", json::array())) {
        chat::ChatEvent event;
        event.type = chat::ChatEvent::Type::tool_call;
        event.tool_call.name = call["function"].value("name", "");
        event.tool_call.arguments = call["function"].value("arguments", json::object());
        on_event(event);
      }
      if (line.value("done", false)) {
        engine::GenerationResult& r = stats.result;
        r.reason = line.value("done_reason", "stop") == "length" ? engine::FinishReason::length : engine::FinishReason::stop;
        r.prompt_tokens = line.value("prompt_eval_count", 0);
        r.generated_tokens = line.value("eval_count", 0);
        r.prompt_seconds = line.value("prompt_eval_duration", int64_t{0}) / 1e9;
        r.generation_seconds = line.value("eval_duration", int64_t{0}) / 1e9;
        stats.load_seconds = line.value("load_duration", int64_t{0}) / 1e9;
      }
    }
    return !interrupted.load();  // returning false closes the connection: the server cancels the request
  };
  httplib::Result result = client_->send(req);
  if (status != 200 && status != 0) return make_error(error_of(raw_body));
  if (!result && !interrupted) return make_error("the connection to the server failed");
  if (!error.empty()) return make_error(error);
  return stats;
}

void RemoteBackend::print_info() const {
  auto res = client_->Post("/api/show", json{{"model", model_}}.dump(), "application/json");
  if (!res || res->status != 200) {
    std::printf("error: cannot show %s\n", model_.c_str());
    return;
  }
  const json shown = json::parse(res->body, nullptr, false);
  const json details = shown.value("details", json::object());
  std::printf("  Model\n");
  std::printf("    %-20s %s\n", "name", model_.c_str());
  std::printf("    %-20s %s\n", "architecture", details.value("family", "").c_str());
  std::printf("    %-20s %s\n", "parameters", details.value("parameter_size", "").c_str());
  std::printf("    %-20s %s\n", "quantization", details.value("quantization_level", "").c_str());
  std::printf("    %-20s %s\n", "served by", "hearth serve");
}

}  // namespace hearth::cli
