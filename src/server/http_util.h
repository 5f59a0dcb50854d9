#pragma once
// Small pieces every route uses: JSON bodies in and out, the two APIs' error shapes, timestamps.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/http_client.h"

namespace hearth::server {

// The request body as a JSON object; nullopt after answering 400 (Ollama's "invalid JSON" cases).
std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res, bool openai);

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// {"error": message}
void ollama_error(httplib::Response& res, int status, const std::string& message);
// {"error": {"message", "type", "param": null, "code": null}} with the type the status maps to.
nlohmann::json openai_error_body(int status, const std::string& message);
void openai_error(httplib::Response& res, int status, const std::string& message);

// RFC 3339 with nanoseconds in UTC, as Ollama's created_at.
std::string rfc3339_now();
// Serialises without throwing on invalid UTF-8 from a model (replaced by U+FFFD).
std::string dump(const nlohmann::json& value);

}  // namespace hearth::server
