// Forced tool calls (tool_choice "required" / a named function) as a grammar over the real Gemma 4
// vocabulary: only well-formed calls of offered functions pass, and the markers must be the special tokens.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/gemma4_tool_grammar.h"
#include "engine/grammar/token_constraint.h"
#include "gguf/gguf_file.h"
#include "support/fixtures.h"
#include "tokenizer/gguf_vocabulary.h"

namespace hearth::chat::gemma4 {
namespace {

using engine::grammar::TokenConstraint;
using engine::grammar::TokenTrie;
using json = nlohmann::json;

class ToolCallGrammarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::fixtures_available()) return;
    auto file = gguf::GgufFile::open(test::fixture("vocab/ggml-vocab-gemma-4.gguf"));
    ASSERT_TRUE(file) << file.error();
    auto tokenizer = tokenizer::tokenizer_from_gguf(**file);
    ASSERT_TRUE(tokenizer) << tokenizer.error();
    tokenizer_ = new tokenizer::Tokenizer(std::move(*tokenizer));
    trie_ = new std::shared_ptr<const TokenTrie>(TokenTrie::build(*tokenizer_));
  }
  void SetUp() override { HEARTH_REQUIRE_FIXTURES(); }

  static std::vector<json> tools() {
    return {json::parse(R"({"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
              "properties":{"city":{"type":"string"},"days":{"type":"integer"},"when":{}},"required":["city"]}}})"),
            json::parse(R"({"type":"function","function":{"name":"now"}})")};
  }

  static std::unique_ptr<TokenConstraint> constraint(std::string_view only = {}) {
    Result<engine::grammar::Grammar> grammar = tool_call_grammar(*tokenizer_, tools(), only);
    EXPECT_TRUE(grammar) << grammar.error();
    Result<std::unique_ptr<TokenConstraint>> made =
        TokenConstraint::create(std::make_shared<const engine::grammar::Grammar>(std::move(*grammar)), *trie_);
    EXPECT_TRUE(made) << made.error();
    return std::move(*made);
  }

  // Feeds `text` tokenized with special tokens parsed; false at the first token the grammar refuses.
  static bool feed(TokenConstraint& c, const std::string& text) {
    for (int32_t token : tokenizer_->tokenize(text, false, true)) {
      if (!c.allows(token) || !c.accept(token)) return false;
    }
    return true;
  }

  static tokenizer::Tokenizer* tokenizer_;
  static std::shared_ptr<const TokenTrie>* trie_;
};

tokenizer::Tokenizer* ToolCallGrammarTest::tokenizer_ = nullptr;
std::shared_ptr<const TokenTrie>* ToolCallGrammarTest::trie_ = nullptr;

TEST_F(ToolCallGrammarTest, WellFormedCallsOfOfferedFunctionsPass) {
  auto c = constraint();
  EXPECT_FALSE(c->complete());
  ASSERT_TRUE(feed(*c, R"(<|tool_call>call:get_weather{city:<|"|>Paris, "France"<|"|>,days:3}<tool_call|>)"));
  EXPECT_TRUE(c->complete());
  ASSERT_TRUE(feed(*c, "<|tool_call>call:now{}<tool_call|>"));
  EXPECT_TRUE(c->complete());
  // Ending is allowed now: the turn's end-of-generation tokens pass the mask.
  std::vector<float> logits(tokenizer_->size(), 0.0f);
  c->mask(logits);
  for (int32_t eog : tokenizer_->end_of_generation()) EXPECT_EQ(logits[static_cast<size_t>(eog)], 0.0f);
}

TEST_F(ToolCallGrammarTest, NestedValuesPass) {
  auto c = constraint("get_weather");
  EXPECT_TRUE(feed(*c, R"(<|tool_call>call:get_weather{city:<|"|>x<|"|>,when:{name:<|"|>x<|"|>,tags:[1,-2.5e3,true,null,[]]}}<tool_call|>)"));
  EXPECT_TRUE(c->complete());
}

TEST_F(ToolCallGrammarTest, OnlyCallsMayBeGenerated) {
  EXPECT_FALSE(feed(*constraint(), "Sure, let me check."));
  EXPECT_FALSE(feed(*constraint(), "<|tool_call>call:delete_files{}<tool_call|>"));     // not offered
  EXPECT_FALSE(feed(*constraint("now"), "<|tool_call>call:get_weather{}<tool_call|>"));  // not the named one
  EXPECT_FALSE(feed(*constraint(), "<|tool_call>call:get_weather{town:1}<tool_call|>"));  // undeclared key
  EXPECT_FALSE(feed(*constraint(), "<|tool_call>call:get_weather{days:3}<tool_call|>"));  // city is required
  EXPECT_FALSE(feed(*constraint(), R"(<|tool_call>call:get_weather{days:3,city:<|"|>x<|"|>}<tool_call|>)"));  // name order
  EXPECT_FALSE(feed(*constraint(), R"(<|tool_call>call:get_weather{city:<|"|>x<|"|>,city:<|"|>y<|"|>}<tool_call|>)"));
  EXPECT_FALSE(feed(*constraint(), R"(<|tool_call>call:get_weather{city:"Paris"}<tool_call|>)"));  // JSON string
  EXPECT_FALSE(feed(*constraint(), R"(<|tool_call>call:get_weather{city:<|"|>x<|"|>,days:<|"|>3<|"|>}<tool_call|>)"));  // integer
  // The marker's text spelled with ordinary tokens is not the marker.
  auto c = constraint();
  const std::vector<int32_t> spelled = tokenizer_->tokenize("<|tool_call", false, false);
  ASSERT_GT(spelled.size(), 1u);
  EXPECT_FALSE(c->allows(spelled[0]));
}

TEST_F(ToolCallGrammarTest, UnknownFunctionOrNoToolsIsAnError) {
  EXPECT_FALSE(tool_call_grammar(*tokenizer_, tools(), "missing"));
  EXPECT_FALSE(tool_call_grammar(*tokenizer_, {}, ""));
}

}  // namespace
}  // namespace hearth::chat::gemma4
