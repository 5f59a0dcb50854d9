// libFuzzer harness for the Gemma 4 output parser. The first byte picks how the rest is cut into pieces; the
// result must equal parsing it whole (a split must never change what is reported). Parsed tool calls are then
// rendered back into a prompt, so arbitrary arguments also exercise the renderer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "chat/gemma4_format.h"

using hearth::chat::ChatEvent;

namespace {

// Adjacent text deltas of one kind merged, calls as name + serialized arguments.
std::vector<std::string> summarize(const std::vector<ChatEvent>& events) {
  std::vector<std::string> summary;
  ChatEvent::Type last = ChatEvent::Type::tool_call;
  for (const ChatEvent& event : events) {
    if (event.type == ChatEvent::Type::tool_call) {
      summary.push_back("call " + event.tool_call.name + " " + event.tool_call.arguments.dump());
    } else if (!summary.empty() && event.type == last) {
      summary.back() += event.text;
    } else {
      summary.push_back((event.type == ChatEvent::Type::thinking ? "thinking " : "content ") + event.text);
    }
    last = event.type;
  }
  return summary;
}

std::vector<ChatEvent> parse(const hearth::chat::ChatFormat& format, std::string_view text,
                             size_t piece_size) {
  auto parser = format.make_parser();
  std::vector<ChatEvent> events;
  for (size_t at = 0; at < text.size(); at += piece_size) {
    for (ChatEvent& event : parser->feed(text.substr(at, piece_size))) events.push_back(std::move(event));
  }
  for (ChatEvent& event : parser->finish()) events.push_back(std::move(event));
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece_size = data[0] % 8 + 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const hearth::chat::Gemma4Format format;

  const std::vector<ChatEvent> whole = parse(format, text, text.size() + 1);
  if (summarize(whole) != summarize(parse(format, text, piece_size))) std::abort();

  hearth::chat::Message reply;
  reply.role = "assistant";
  std::string content;
  for (const ChatEvent& event : whole) {
    if (event.type == ChatEvent::Type::tool_call) reply.tool_calls.push_back(event.tool_call);
    if (event.type == ChatEvent::Type::content) content += event.text;
    if (event.type == ChatEvent::Type::thinking) reply.reasoning += event.text;
  }
  reply.content = content;
  hearth::chat::ChatRequest request;
  request.messages = {{.role = "user", .content = std::string("hi")}, reply};
  const auto rendered = format.render(request);
  volatile size_t sink = rendered.ok() ? rendered->size() : 0;
  (void)sink;
  return 0;
}
