#include "server/http_util.h"

#include <chrono>
#include <ctime>

namespace hearth::server {

std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res, bool openai) {
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    const std::string message = req.body.empty() ? "missing request body" : "invalid JSON in request body";
    if (openai) {
      openai_error(res, 400, message);
    } else {
      ollama_error(res, 400, message);
    }
    return std::nullopt;
  }
  return body;
}

std::string dump(const nlohmann::json& value) { return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json; charset=utf-8");
}

void ollama_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

nlohmann::json openai_error_body(int status, const std::string& message) {
  const char* type = status == 400   ? "invalid_request_error"
                     : status == 401 ? "authentication_error"
                     : status == 404 ? "not_found_error"
                     : status == 501 ? "not_supported_error"
                     : status == 503 ? "unavailable_error"
                                     : "server_error";
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}};
}

void openai_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, openai_error_body(status, message));
}

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1000000000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%09lldZ", static_cast<long long>(nanos));
  return text;
}

}  // namespace hearth::server
