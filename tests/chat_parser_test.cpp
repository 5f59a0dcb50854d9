// The Gemma 4 output parser must give the same result however the generated text is split into pieces, keep
// control markers out of content, and turn malformed tool calls into content instead of failing.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/gemma4_format.h"

namespace {

using hearth::chat::ChatEvent;
using nlohmann::json;

// Events as one comparable JSON list, adjacent text deltas of one kind merged.
json normalize(const std::vector<ChatEvent>& events) {
  json out = json::array();
  for (const ChatEvent& event : events) {
    if (event.type == ChatEvent::Type::tool_call) {
      out.push_back({{"call", event.tool_call.name}, {"arguments", event.tool_call.arguments}});
      continue;
    }
    const char* kind = event.type == ChatEvent::Type::thinking ? "thinking" : "content";
    if (!out.empty() && out.back().contains(kind)) {
      out.back()[kind] = out.back()[kind].get<std::string>() + event.text;
    } else {
      out.push_back({{kind, event.text}});
    }
  }
  return out;
}

std::vector<ChatEvent> parse_pieces(const std::vector<std::string>& pieces) {
  auto parser = hearth::chat::Gemma4Format().make_parser();
  std::vector<ChatEvent> events;
  for (const std::string& piece : pieces) {
    for (ChatEvent& event : parser->feed(piece)) events.push_back(std::move(event));
  }
  for (ChatEvent& event : parser->finish()) events.push_back(std::move(event));
  return events;
}

// Whole, split once at every position, one byte at a time, and in random pieces: all must agree.
void expect_parse(const std::string& output, const json& expected) {
  SCOPED_TRACE(output);
  ASSERT_EQ(normalize(parse_pieces({output})), expected);
  for (size_t split = 0; split <= output.size(); ++split) {
    ASSERT_EQ(normalize(parse_pieces({output.substr(0, split), output.substr(split)})), expected)
        << "split at " << split;
  }
  std::vector<std::string> bytes;
  for (char c : output) bytes.emplace_back(1, c);
  ASSERT_EQ(normalize(parse_pieces(bytes)), expected) << "one byte at a time";
  std::mt19937 random(static_cast<uint32_t>(output.size()));
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> pieces;
    for (size_t at = 0; at < output.size();) {
      const size_t length = std::uniform_int_distribution<size_t>(1, 7)(random);
      pieces.push_back(output.substr(at, length));
      at += length;
    }
    ASSERT_EQ(normalize(parse_pieces(pieces)), expected) << "random round " << round;
  }
}

json content(const std::string& text) { return {{"content", text}}; }
json thinking(const std::string& text) { return {{"thinking", text}}; }
json call(const std::string& name, const json& arguments) {
  return {{"call", name}, {"arguments", arguments}};
}

const std::string Q = "<|\"|>";

TEST(ChatParser, PlainContent) {
  expect_parse("Hello, world!", json::array({content("Hello, world!")}));
  expect_parse("  line one\nline two\n", json::array({content("  line one\nline two\n")}));
  expect_parse("", json::array());
}

TEST(ChatParser, ThoughtThenContent) {
  expect_parse("<|channel>thought\nLet me think.\nStill thinking.  <channel|>\n\nThe answer is 4.",
               json::array({thinking("Let me think.\nStill thinking."), content("The answer is 4.")}));
}

TEST(ChatParser, EmptyThoughtBlockIsSilent) {
  expect_parse("<|channel>thought\n<channel|>Answer", json::array({content("Answer")}));
}

TEST(ChatParser, OtherChannelNamesAreKept) {
  expect_parse("<|channel>thoughtful\nx<channel|>y", json::array({thinking("thoughtful\nx"), content("y")}));
}

TEST(ChatParser, SimpleToolCall) {
  expect_parse("<|tool_call>call:bash{command:" + Q + "ls -la" + Q + "}<tool_call|>",
               json::array({call("bash", {{"command", "ls -la"}})}));
}

TEST(ChatParser, ContentBeforeToolCallIsRightTrimmed) {
  expect_parse(
      "Let me check.\n\n<|tool_call>call:bash{command:" + Q + "ls" + Q + "}<tool_call|><|tool_response>",
      json::array({content("Let me check."), call("bash", {{"command", "ls"}})}));
}

TEST(ChatParser, MultiLineAndNestedArguments) {
  const std::string script = "#!/bin/sh\nset -e\necho \"{not: json}\", [x]\n\n";
  expect_parse(
      "<|tool_call>call:write_file{path:" + Q + "/tmp/a.sh" + Q + ",content:" + Q + script + Q +
          ",options:{mode:493,backup:false,owner:null,ratio:-0.5,tags:[" + Q + "x" + Q +
          ",1,2.5e3,true,{deep:[[]]}]},\n  empty:{}}<tool_call|>",
      json::array(
          {call("write_file",
                {{"path", "/tmp/a.sh"},
                 {"content", script},
                 {"options",
                  {{"mode", 493},
                   {"backup", false},
                   {"owner", nullptr},
                   {"ratio", -0.5},
                   {"tags", json::array({"x", 1, 2500.0, true, {{"deep", json::array({json::array()})}}})}}},
                 {"empty", json::object()}})}));
}

TEST(ChatParser, ParallelCallsAndThinking) {
  expect_parse("<|channel>thought\nTwo lookups.<channel|><|tool_call>call:get_weather{city:" + Q + "Paris" +
                   Q + "}<tool_call|><|tool_call>call:get_time{city:" + Q + "Tokyo" + Q + "}<tool_call|>",
               json::array({thinking("Two lookups."), call("get_weather", {{"city", "Paris"}}),
                            call("get_time", {{"city", "Tokyo"}})}));
}

TEST(ChatParser, ToolCallInsideUnclosedThoughtEndsIt) {
  expect_parse("<|channel>thought\nplan\n<|tool_call>call:f{}<tool_call|>",
               json::array({thinking("plan"), call("f", json::object())}));
}

TEST(ChatParser, ContentAfterToolCallIsLeftTrimmed) {
  expect_parse("<|tool_call>call:f{a:1}<tool_call|>\n Done.",
               json::array({call("f", {{"a", 1}}), content("Done.")}));
}

TEST(ChatParser, DriftedArgumentSyntaxIsAccepted) {
  expect_parse("<|tool_call>call:f{\"a\": \"x\\\"y\\n\", " + Q + "b" + Q + ": [None, True]}<tool_call|>",
               json::array({call("f", {{"a", "x\"y\n"}, {"b", json::array({nullptr, true})}})}));
}

TEST(ChatParser, ControlMarkersNeverReachContent) {
  expect_parse("<|turn>model\nAnswer<channel|> here<turn|>", json::array({content("Answer here")}));
  expect_parse("<|tool_call>call:f{}<tool_call|><tool_call|><|tool_response>ok",
               json::array({call("f", json::object()), content("ok")}));
}

TEST(ChatParser, TextResemblingMarkersStaysContent) {
  expect_parse("if a <| b or x < y then <|tool", json::array({content("if a <| b or x < y then <|tool")}));
  expect_parse("a <channel b", json::array({content("a <channel b")}));
}

TEST(ChatParser, UnicodeSplitInsideCharacters) {
  expect_parse("<|channel>thought\n考える 🤔<channel|>日本語 — «ok» ☕",
               json::array({thinking("考える 🤔"), content("日本語 — «ok» ☕")}));
}

TEST(ChatParser, UnterminatedCallThatParsesIsStillACall) {
  expect_parse("<|tool_call>call:f{a:1}", json::array({call("f", {{"a", 1}})}));
}

TEST(ChatParser, MalformedCallsBecomeContent) {
  expect_parse("<|tool_call>call:f{a:" + Q + "abc",
               json::array({content("<|tool_call>call:f{a:" + Q + "abc")}));
  expect_parse("<|tool_call>call:f{a:b}<tool_call|>after",
               json::array({content("<|tool_call>call:f{a:b}<tool_call|>after")}));
  expect_parse("<|tool_call>{a:1}<tool_call|>", json::array({content("<|tool_call>{a:1}<tool_call|>")}));
  expect_parse("<|tool_call>call:f[1]<tool_call|>",
               json::array({content("<|tool_call>call:f[1]<tool_call|>")}));
  expect_parse("<|tool_call>call:f{a:1} trailing<tool_call|>",
               json::array({content("<|tool_call>call:f{a:1} trailing<tool_call|>")}));
  const std::string invalid_utf8 = "<|tool_call>call:f{a:" + Q + "t\xe0gs" + Q + "}<tool_call|>";
  expect_parse(invalid_utf8, json::array({content(invalid_utf8)}));
}

TEST(ChatParser, CallWithoutCloseMarkerEndsAtTheNextCall) {
  expect_parse("<|tool_call>call:a{}<|tool_call>call:b{x:1}<tool_call|>",
               json::array({call("a", json::object()), call("b", {{"x", 1}})}));
}

TEST(ChatParser, EmptyCallsAndThoughtsVanish) {
  expect_parse("Hi<|tool_call><tool_call|>", json::array({content("Hi")}));
  expect_parse("Hi<|channel>", json::array({content("Hi")}));
  expect_parse("<|channel>thought", json::array());
}

TEST(ChatParser, UnterminatedThoughtIsThinking) {
  expect_parse("<|channel>thought\nhmm, so", json::array({thinking("hmm, so")}));
}

TEST(ChatParser, DeepNestingDegradesToContent) {
  const std::string deep =
      "<|tool_call>call:f{a:" + std::string(500, '[') + std::string(500, ']') + "}<tool_call|>";
  EXPECT_EQ(normalize(parse_pieces({deep})), json::array({content(deep)}));
}

TEST(ChatParser, NoPartialMarkerIsEverEmitted) {
  const std::string output = "Sure <|channel>thought\nx<channel|> done <|tool_call>call:f{}<tool_call|>";
  auto parser = hearth::chat::Gemma4Format().make_parser();
  for (char c : output) {
    for (const ChatEvent& event : parser->feed(std::string(1, c))) {
      EXPECT_EQ(event.text.find('<'), std::string::npos) << event.text;
    }
  }
}

}  // namespace
