// Renders every conversation in tests/data/chat_cases.json with the C++ Gemma 4 renderer and with the real
// chat template (tests/data/gemma4_chat_template.jinja, taken from the gemma-4 vocab GGUF) through Python's
// Jinja2, and requires byte-identical prompts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/chat_registry.h"
#include "chat/gemma4_format.h"
#include "support/run_process.h"

namespace {

using hearth::chat::ChatRequest;
using hearth::chat::Content;
using hearth::chat::ContentPart;
using hearth::chat::Message;
using nlohmann::json;

const std::filesystem::path kDataDir = HEARTH_TEST_DATA_DIR;

json load_cases() {
  std::ifstream file(kDataDir / "chat_cases.json");
  return json::parse(file);
}

Content content_from_json(const json& value) {
  if (!value.is_array()) return value.is_string() ? value.get<std::string>() : std::string();
  std::vector<ContentPart> parts;
  for (const json& item : value) {
    const std::string type = item.at("type");
    ContentPart part;
    if (type == "text") part.text = item.at("text");
    if (type == "image") part.type = ContentPart::Type::image;
    if (type == "audio") part.type = ContentPart::Type::audio;
    if (type == "video") part.type = ContentPart::Type::video;
    parts.push_back(part);
  }
  return parts;
}

// The OpenAI-style message shape the cases (and render_jinja.py) use.
Message message_from_json(const json& value) {
  Message message;
  message.role = value.at("role");
  message.content = content_from_json(value.value("content", json()));
  for (const json& call : value.value("tool_calls", json::array())) {
    hearth::chat::ToolCall tool_call;
    tool_call.id = call.value("id", "");
    tool_call.name = call.at("function").at("name");
    tool_call.arguments = call.at("function").at("arguments");
    message.tool_calls.push_back(tool_call);
  }
  for (const json& response : value.value("tool_responses", json::array())) {
    message.tool_responses.push_back({response.value("name", ""), response.at("response")});
  }
  message.tool_call_id = value.value("tool_call_id", "");
  message.tool_name = value.value("name", "");
  message.reasoning = value.value("reasoning_content", "");
  return message;
}

ChatRequest request_from_json(const json& value) {
  ChatRequest request;
  for (const json& message : value.at("messages")) request.messages.push_back(message_from_json(message));
  for (const json& tool : value.value("tools", json::array())) request.tools.push_back(tool);
  request.enable_thinking = value.value("enable_thinking", false);
  request.add_generation_prompt = value.value("add_generation_prompt", true);
  return request;
}

struct ReferenceRenders {
  bool available = false;
  std::string problem;
  std::map<std::string, std::string> prompts;
};

// One python3 run renders every case; exit status 3 means Jinja2 is missing.
const ReferenceRenders& reference_renders() {
  static const ReferenceRenders renders = [] {
    ReferenceRenders result;
    const hearth::test::ProcessResult run = hearth::test::run_process(
        {"python3", (kDataDir / "render_jinja.py").string(), (kDataDir / "gemma4_chat_template.jinja").string(),
         (kDataDir / "chat_cases.json").string()});
    if (run.exit_code == 3) {
      result.problem = "python3-jinja2 is not installed (scripts/setup.sh installs it)";
    } else if (run.exit_code != 0) {
      result.problem = "python3 is missing or render_jinja.py failed: " + run.err;
    } else {
      result.prompts = json::parse(run.out).get<std::map<std::string, std::string>>();
      result.available = true;
    }
    return result;
  }();
  return renders;
}

// One test for all cases, so python3 and the template compile run once rather than once per case.
TEST(ChatRender, Gemma4MatchesJinjaByteForByte) {
  const ReferenceRenders& reference = reference_renders();
  if (!reference.available) GTEST_SKIP() << reference.problem;
  for (const json& test_case : load_cases()) {
    const std::string name = test_case.at("name");
    const auto rendered = hearth::chat::Gemma4Format().render(request_from_json(test_case));
    ASSERT_TRUE(rendered.ok()) << name << ": " << rendered.error();
    const std::string& expected = reference.prompts.at(name);
    const std::string& actual = *rendered;
    size_t diverge = 0;
    while (diverge < expected.size() && diverge < actual.size() && expected[diverge] == actual[diverge])
      ++diverge;
    EXPECT_EQ(actual, expected) << "case " << name << ": first difference at byte " << diverge
                                << ", expected continues: " << json(expected.substr(diverge, 80)).dump()
                                << ", got: " << json(actual.substr(diverge, 80)).dump();
  }
}

TEST(ChatRender, CaseFileCoversEnoughConversations) { EXPECT_GE(load_cases().size(), 15u); }

TEST(ChatRender, RejectsAnEmptyConversation) {
  EXPECT_FALSE(hearth::chat::Gemma4Format().render(ChatRequest{}).ok());
}

TEST(ChatRegistry, FindsGemma4ByTemplateOrArchitecture) {
  std::ifstream file(kDataDir / "gemma4_chat_template.jinja");
  const std::string chat_template((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto by_template = hearth::chat::find_chat_format("some-finetune", chat_template);
  ASSERT_TRUE(by_template.ok()) << by_template.error();
  EXPECT_EQ((*by_template)->name(), "gemma4");
  const auto by_architecture = hearth::chat::find_chat_format("gemma4", "");
  ASSERT_TRUE(by_architecture.ok());
  EXPECT_EQ((*by_architecture)->name(), "gemma4");
  EXPECT_FALSE(hearth::chat::find_chat_format("llama", "{{ messages }}").ok());
}

}  // namespace
