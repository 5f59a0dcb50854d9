// libFuzzer harness for the HTTP request bodies of `hearth serve`: arbitrary bytes parsed as JSON and run
// through every conversion the routes apply before a model is involved (messages of both APIs with their
// base64 attachments, tools, options, keep_alive, think). Each must answer with a value or an error, never
// crash or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/chat_messages.h"
#include "server/request_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return 0;
  try {
    static_cast<void>(hearth::server::ollama_messages(body.value("messages", nlohmann::json())));
    static_cast<void>(hearth::server::openai_messages(body.value("messages", nlohmann::json())));
    static_cast<void>(hearth::server::parse_tools(body.value("tools", nlohmann::json())));
    static_cast<void>(hearth::server::settings_from_options(body.value("options", nlohmann::json())));
    static_cast<void>(hearth::server::parse_keep_alive(body.value("keep_alive", nlohmann::json())));
    static_cast<void>(hearth::server::parse_think(body));
  } catch (const nlohmann::json::exception&) {
    // A wrong JSON type inside a message (json::value on a mismatched field) surfaces as this exception,
    // which the server's exception handler turns into a 400; anything else is a bug.
  }
  return 0;
}
