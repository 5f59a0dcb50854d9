// JSON schema -> grammar: for each supported keyword, the grammar accepts conforming JSON text and rejects
// the rest; unsupported keywords are errors that name them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/grammar/json_schema.h"
#include "engine/grammar/recognizer.h"

namespace hearth::engine::grammar {
namespace {

struct SchemaCase {
  const char* name;
  const char* schema;
  std::vector<std::string> accepted;
  std::vector<std::string> rejected;
};

const std::vector<SchemaCase>& schema_cases() {
  static const std::vector<SchemaCase> cases = {
      {"any_value", R"({})",
       {R"({"a": [1, 2.5e3, "x", true, null, {}]})", "[]", "\"s\"", "-0.5", "null", " {\"a\":1}\n"},
       {"", "{", "nul", "01", "1.", "[1,]", "{\"a\" 1}", "\"\\x\"", "\"a\nb\"", "  {}", "{} x"}},
      {"true_schema", "true", {"1", "{\"k\":\"v\"}"}, {"", "x"}},
      {"string", R"({"type":"string"})",
       {R"("")", R"("hello")", R"("caf\u00e9 \" \\ \n")", "\"日本語 😀\""},
       {R"(hello)", R"("abc)", "\"a\tb\"", R"("\q")", "\"\xC3\"", "1"}},
      {"string_lengths", R"({"type":"string","minLength":2,"maxLength":3})",
       {R"("ab")", R"("abc")", "\"日本\"", R"("\nx")"},
       {R"("a")", R"("abcd")", R"("")", "\"日本語x\""}},
      {"integer", R"({"type":"integer"})", {"0", "-7", "1234567890123456"}, {"01", "1.5", "+1", "-", "12345678901234567", "1e3"}},
      {"number", R"({"type":"number","minimum":0})", {"0", "-1.25", "3e10", "2.5E-7", "-0"}, {".5", "1.", "1e", "--1", "0x10"}},
      {"boolean", R"({"type":"boolean"})", {"true", "false"}, {"True", "1", "null"}},
      {"null", R"({"type":"null"})", {"null"}, {"nil", "0"}},
      {"nullable_type_array", R"({"type":["string","null"]})", {"null", "\"x\""}, {"1", "true"}},
      {"nullable_keyword", R"({"type":"integer","nullable":true})", {"null", "5"}, {"\"5\""}},
      {"enum", R"({"enum":["red","green",3,null,{"a":1}]})",
       {"\"red\"", "\"green\"", "3", "null", "{\"a\":1}"}, {"\"blue\"", "\"Red\"", "4", "{\"a\": 2}"}},
      {"const", R"({"const":"fixed"})", {"\"fixed\""}, {"\"fixe\"", "\"fixed2\""}},
      {"object_required_and_optional",
       R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},"required":["name"]})",
       {R"({"name":"a"})", R"({"name":"a","age":3})", R"({"name":"a","tags":["x"]})", R"({"name":"a","age":3,"tags":[]})",
        "{\n  \"name\": \"a\",\n  \"age\": 3\n}"},
       {R"({})", R"({"age":3})", R"({"age":3,"name":"a"})", R"({"name":"a","extra":1})", R"({"name":1})",
        R"({"name":"a",})", R"({"name":"a","age":3,"age":4})"}},
      {"object_all_optional", R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}})",
       {"{}", R"({"a":1})", R"({"b":2})", R"({"a":1,"b":2})"}, {R"({"b":2,"a":1})", R"({,"b":2})", R"({"c":1})"}},
      {"additional_properties_true",
       R"({"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":true})",
       {R"({"a":1})", R"({"a":1,"x":[true],"y":null})"}, {R"({"x":1})", R"({"a":1 "x":1})"}},
      {"additional_properties_schema", R"({"type":"object","additionalProperties":{"type":"number"}})",
       {"{}", R"({"x":1,"y":2.5})"}, {R"({"x":"1"})"}},
      {"array_bounds", R"({"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3})",
       {"[1]", "[1, 2, 3]", "[ 1 ,2 ]"}, {"[]", "[1,2,3,4]", "[\"1\"]", "[1,]"}},
      {"array_empty_only", R"({"type":"array","maxItems":0})", {"[]", "[ ]"}, {"[1]"}},
      {"any_of", R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]})", {"5", "\"x\""}, {"\"xy\"", "true"}},
      {"one_of", R"({"oneOf":[{"type":"boolean"},{"type":"null"}]})", {"true", "null"}, {"0"}},
      {"all_of_single", R"({"allOf":[{"type":"boolean"}]})", {"false"}, {"0"}},
      {"ref_defs",
       R"({"$defs":{"point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"]}},"type":"array","items":{"$ref":"#/$defs/point"}})",
       {R"([{"x":1,"y":2}])", "[]"}, {R"([{"x":1}])", R"([{"y":1,"x":2}])"}},
      {"ref_definitions_recursive",
       R"({"definitions":{"node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"anyOf":[{"$ref":"#/definitions/node"},{"type":"null"}]}},"required":["v","next"]}},"$ref":"#/definitions/node"})",
       {R"({"v":1,"next":null})", R"({"v":1,"next":{"v":2,"next":{"v":3,"next":null}}})"}, {R"({"v":1,"next":{"v":2}})"}},
      {"format_date", R"({"type":"string","format":"date"})", {"\"2024-02-29\""}, {"\"2024-13-01\"", "\"2024-2-1\"", "\"x\""}},
      {"format_time", R"({"type":"string","format":"time"})", {"\"23:59:60Z\"", "\"01:02:03.5+05:30\""}, {"\"24:00:00Z\"", "\"01:02:03\""}},
      {"format_date_time", R"({"type":"string","format":"date-time"})", {"\"2024-01-31T12:00:00Z\""}, {"\"2024-01-31 12:00:00Z\""}},
      {"format_uuid", R"({"type":"string","format":"uuid"})",
       {"\"123e4567-e89b-12d3-a456-426614174000\""}, {"\"123e4567e89b12d3a456426614174000\""}},
      {"format_unknown_is_annotation", R"({"type":"string","format":"email"})", {"\"anything\""}, {"1"}},
      {"annotations_ignored", R"({"type":"boolean","title":"t","description":"d","default":true,"examples":[true]})", {"true"}, {"1"}},
  };
  return cases;
}

void PrintTo(const SchemaCase& test_case, std::ostream* out) { *out << test_case.name; }

class JsonSchemaCases : public testing::TestWithParam<SchemaCase> {};

TEST_P(JsonSchemaCases, AcceptsConformingAndRejectsOtherText) {
  const SchemaCase& test_case = GetParam();
  Result<Grammar> grammar = grammar_from_json_schema_text(test_case.schema);
  ASSERT_TRUE(grammar.ok()) << grammar.error();
  for (const std::string& text : test_case.accepted) {
    Result<bool> matched = grammar_matches(*grammar, text);
    ASSERT_TRUE(matched.ok()) << matched.error();
    EXPECT_TRUE(*matched) << "should accept: " << text;
  }
  for (const std::string& text : test_case.rejected) {
    Result<bool> matched = grammar_matches(*grammar, text);
    ASSERT_TRUE(matched.ok()) << matched.error();
    EXPECT_FALSE(*matched) << "should reject: " << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Keywords, JsonSchemaCases, testing::ValuesIn(schema_cases()),
                         [](const testing::TestParamInfo<SchemaCase>& info) { return std::string(info.param.name); });

TEST(JsonSchemaErrors, UnsupportedKeywordsAreNamed) {
  for (const char* keyword : {"pattern", "not", "if", "prefixItems", "uniqueItems", "patternProperties", "minProperties"}) {
    const std::string schema = std::string(R"({"type":"string",")") + keyword + R"(":true})";
    Result<Grammar> grammar = grammar_from_json_schema_text(schema);
    ASSERT_FALSE(grammar.ok()) << keyword;
    EXPECT_NE(grammar.error().find(std::string("'") + keyword + "'"), std::string::npos) << grammar.error();
  }
}

TEST(JsonSchemaErrors, InvalidSchemasAreClearErrors) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"not json", "not valid JSON"},
      {"false", "matches no value"},
      {"[1]", "must be an object"},
      {R"({"type":"strin"})", "unknown JSON schema type 'strin'"},
      {R"({"type":"string","minLength":-1})", "minLength"},
      {R"({"type":"string","maxLength":1e9})", "limit"},
      {R"({"type":"array","maxItems":4000000000000000000000000000000000000000000})", "limit"},  // found by fuzzing
      {R"({"type":"array","maxItems":2.5})", "integer"},
      {R"({"type":"array","minItems":3,"maxItems":2})", "greater"},
      {R"({"$ref":"http://example.com/s.json"})", "$ref"},
      {R"({"$ref":"#/$defs/missing"})", "points to nothing"},
      {R"({"enum":[]})", "enum"},
      {R"({"allOf":[{"type":"string"},{"maxLength":2}]})", "allOf"},
      {R"({"type":"object","properties":{"a":{}},"required":["b"]})", "'b'"},
      {R"({"type":"array","items":[{"type":"string"}]})", "tuple"},
  };
  for (const auto& [schema, expected] : cases) {
    Result<Grammar> grammar = grammar_from_json_schema_text(schema);
    ASSERT_FALSE(grammar.ok()) << schema;
    EXPECT_NE(grammar.error().find(expected), std::string::npos) << schema << " -> " << grammar.error();
  }
}

TEST(JsonSchemaErrors, DeepNestingIsRejected) {
  std::string schema;
  for (int i = 0; i < 200; ++i) schema += R"({"type":"array","items":)";
  schema += "{}";
  for (int i = 0; i < 200; ++i) schema += "}";
  Result<Grammar> grammar = grammar_from_json_schema_text(schema);
  ASSERT_FALSE(grammar.ok());
  EXPECT_NE(grammar.error().find("deeper"), std::string::npos) << grammar.error();
}

TEST(JsonMode, AcceptsObjectsOnly) {
  const Grammar grammar = json_object_grammar();
  for (const char* text : {"{}", R"({"a": {"b": [1, "x", null]}})", "\n{\"k\": true}\n"}) {
    EXPECT_TRUE(*grammar_matches(grammar, text)) << text;
  }
  for (const char* text : {"[]", "1", "\"x\"", "{", "{}{}"}) EXPECT_FALSE(*grammar_matches(grammar, text)) << text;
}

TEST(JsonMode, WhitespaceIsBounded) {
  const Grammar grammar = json_object_grammar();
  EXPECT_TRUE(*grammar_matches(grammar, "{\n" + std::string(20, ' ') + "\"a\": 1}"));
  EXPECT_FALSE(*grammar_matches(grammar, "{\n" + std::string(21, ' ') + "\"a\": 1}"));
  EXPECT_FALSE(*grammar_matches(grammar, "{  \"a\": 1}"));
}

TEST(RequestFormats, OllamaFormat) {
  using json = nlohmann::ordered_json;
  auto none = grammar_from_ollama_format(json());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto mode = grammar_from_ollama_format(json("json"));
  ASSERT_TRUE(mode.ok() && mode->has_value());
  EXPECT_TRUE(*grammar_matches(**mode, "{}"));
  auto schema = grammar_from_ollama_format(json::parse(R"({"type":"object","properties":{"b":{"type":"integer"},"a":{"type":"integer"}},"required":["b","a"]})"));
  ASSERT_TRUE(schema.ok() && schema->has_value()) << schema.error();
  EXPECT_TRUE(*grammar_matches(**schema, R"({"b":1,"a":2})"));  // the schema's order, not alphabetical
  EXPECT_FALSE(*grammar_matches(**schema, R"({"a":2,"b":1})"));
  EXPECT_FALSE(grammar_from_ollama_format(json("yaml")).ok());
  EXPECT_FALSE(grammar_from_ollama_format(json(3)).ok());
}

TEST(RequestFormats, OpenAiResponseFormat) {
  using json = nlohmann::ordered_json;
  auto text = grammar_from_openai_response_format(json::parse(R"({"type":"text"})"));
  ASSERT_TRUE(text.ok());
  EXPECT_FALSE(text->has_value());
  auto object = grammar_from_openai_response_format(json::parse(R"({"type":"json_object"})"));
  ASSERT_TRUE(object.ok() && object->has_value());
  auto schema = grammar_from_openai_response_format(json::parse(
      R"({"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}}})"));
  ASSERT_TRUE(schema.ok() && schema->has_value()) << schema.error();
  EXPECT_TRUE(*grammar_matches(**schema, R"({"ok":true})"));
  EXPECT_FALSE(grammar_from_openai_response_format(json::parse(R"({"type":"json_schema"})")).ok());
  EXPECT_FALSE(grammar_from_openai_response_format(json::parse(R"({"type":"xml"})")).ok());
}

}  // namespace
}  // namespace hearth::engine::grammar
