// The grammar core: UTF-8 range lowering, the builder's expressions and the recognizer's bounds.
#include <gtest/gtest.h>

#include <string>

#include "engine/grammar/grammar.h"
#include "engine/grammar/recognizer.h"
#include "engine/grammar/utf8_ranges.h"

namespace hearth::engine::grammar {
namespace {

Grammar build_single(const Expr& expr) {
  GrammarBuilder builder;
  const RuleId root = builder.add_rule();
  Status defined = builder.define(root, expr);
  EXPECT_TRUE(defined.ok()) << defined.error();
  Result<Grammar> grammar = builder.build(root);
  EXPECT_TRUE(grammar.ok()) << grammar.error();
  return std::move(*grammar);
}

bool matches(const Grammar& grammar, std::string_view text) {
  Result<bool> result = grammar_matches(grammar, text);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() && *result;
}

// Every code point's encoding is matched by exactly one sequence iff it is in the ranges.
TEST(GrammarUtf8Ranges, SequencesCoverExactlyTheRanges) {
  const std::vector<CodePointRange> ranges = normalize_ranges({{0x41, 0x5A}, {0x7F, 0x900}, {0xD000, 0x10010}}, false);
  const std::vector<Utf8Sequence> sequences = utf8_sequences(ranges);
  auto in_ranges = [&](char32_t cp) {
    for (const auto& range : ranges) {
      if (cp >= range.first && cp <= range.last) return true;
    }
    return false;
  };
  for (char32_t cp = 0; cp <= 0x11000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    uint8_t bytes[4];
    int length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (length == 1) bytes[0] = static_cast<uint8_t>(cp);
    if (length == 2) bytes[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
    if (length == 3) bytes[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
    if (length == 4) bytes[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
    for (int i = 1; i < length; ++i) bytes[i] = static_cast<uint8_t>(0x80 | ((cp >> (6 * (length - 1 - i))) & 0x3F));
    int hits = 0;
    for (const Utf8Sequence& sequence : sequences) {
      if (sequence.length != length) continue;
      bool all = true;
      for (int i = 0; i < length; ++i) {
        all = all && bytes[i] >= sequence.ranges[i].first && bytes[i] <= sequence.ranges[i].last;
      }
      hits += all;
    }
    ASSERT_EQ(hits, in_ranges(cp) ? 1 : 0) << "code point " << static_cast<uint32_t>(cp);
  }
}

TEST(GrammarUtf8Ranges, NegationExcludesSurrogates) {
  const auto ranges = normalize_ranges({{'a', 'z'}}, true);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].last, char32_t{'a' - 1});
  EXPECT_EQ(ranges[1].first, char32_t{'z' + 1});
  EXPECT_EQ(ranges[1].last, char32_t{0xD7FF});
  EXPECT_EQ(ranges[2].first, char32_t{0xE000});
  EXPECT_EQ(ranges[2].last, kMaxCodePoint);
}

TEST(GrammarRecognizer, LiteralsChoicesAndRepetition) {
  const Grammar grammar = build_single(sequence({literal("a"), choice({literal("b"), literal("cd")}),
                                                 repeat(char_class({{'0', '9'}}), 2, 4), optional(literal("!"))}));
  for (const char* good : {"ab12", "acd123", "ab1234!", "acd99!"}) EXPECT_TRUE(matches(grammar, good)) << good;
  for (const char* bad : {"", "a", "ab1", "ab12345", "ac12", "ab12!!", "xb12"}) EXPECT_FALSE(matches(grammar, bad)) << bad;
}

TEST(GrammarRecognizer, UnboundedRepetitionAndRecursion) {
  GrammarBuilder builder;
  const RuleId nested = builder.add_rule();
  ASSERT_TRUE(builder.define(nested, choice({literal("x"), sequence({literal("("), rule_ref(nested), literal(")")})})).ok());
  const RuleId root = builder.add_rule();
  ASSERT_TRUE(builder.define(root, repeat(rule_ref(nested), 1, kUnbounded)).ok());
  Result<Grammar> grammar = builder.build(root);
  ASSERT_TRUE(grammar.ok()) << grammar.error();
  EXPECT_TRUE(matches(*grammar, "x"));
  EXPECT_TRUE(matches(*grammar, "(x)x((x))"));
  EXPECT_TRUE(matches(*grammar, std::string(500, 'x')));
  EXPECT_TRUE(matches(*grammar, std::string(200, '(') + "x" + std::string(200, ')')));
  EXPECT_FALSE(matches(*grammar, "(x"));
  EXPECT_FALSE(matches(*grammar, ""));
}

TEST(GrammarRecognizer, UnicodeClassesMatchWholeCharacters) {
  const Grammar grammar = build_single(repeat(char_class({{'"', '"'}, {'\\', '\\'}}, /*negated=*/true), 1, 3));
  EXPECT_TRUE(matches(grammar, "é"));
  EXPECT_TRUE(matches(grammar, "日本語"));
  EXPECT_TRUE(matches(grammar, "a😀b"));
  EXPECT_FALSE(matches(grammar, "日本語x"));          // four characters
  EXPECT_FALSE(matches(grammar, "\xC3"));             // cut inside a character
  EXPECT_FALSE(matches(grammar, "\xED\xA0\x80"));     // a surrogate
  EXPECT_FALSE(matches(grammar, "\xC0\x80"));         // overlong
  EXPECT_FALSE(matches(grammar, "\""));
}

TEST(GrammarRecognizer, LeftRecursionIsAnErrorNotAHang) {
  GrammarBuilder builder;
  const RuleId root = builder.add_rule();
  ASSERT_TRUE(builder.define(root, choice({sequence({rule_ref(root), literal("a")}), literal("b")})).ok());
  Result<Grammar> grammar = builder.build(root);
  ASSERT_TRUE(grammar.ok());
  Result<bool> result = grammar_matches(*grammar, "ba");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("expansion"), std::string::npos) << result.error();
}

TEST(GrammarRecognizer, LiveStackBoundIsAnError) {
  // (a|a|...)* style ambiguity: each "a" may close any number of open groups, so stacks multiply.
  GrammarBuilder builder;
  const RuleId group = builder.add_rule();
  ASSERT_TRUE(builder.define(group, choice({literal("a"), sequence({literal("a"), rule_ref(group), literal("b")}),
                                            sequence({literal("a"), rule_ref(group), literal("c")})})).ok());
  Result<Grammar> grammar = builder.build(group);
  ASSERT_TRUE(grammar.ok());
  RecognizerLimits limits;
  limits.max_live_stacks = 64;
  Result<bool> result = grammar_matches(*grammar, std::string(20, 'a'), limits);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("live positions"), std::string::npos) << result.error();
}

TEST(GrammarBuilderLimits, ClearErrors) {
  GrammarBuilder builder;
  const RuleId root = builder.add_rule();
  EXPECT_FALSE(builder.define(root, repeat(literal("a"), 0, kMaxRepetition + 1)).ok());
  EXPECT_FALSE(builder.define(root, repeat(literal("a"), 3, 2)).ok());
  EXPECT_FALSE(builder.define(root, char_class({{0, kMaxCodePoint}}, /*negated=*/true)).ok());
  const RuleId undefined = builder.add_rule();
  ASSERT_TRUE(builder.define(root, rule_ref(undefined)).ok());
  Result<Grammar> grammar = builder.build(root);
  ASSERT_FALSE(grammar.ok());
  EXPECT_NE(grammar.error().find("never defined"), std::string::npos);
}

}  // namespace
}  // namespace hearth::engine::grammar
