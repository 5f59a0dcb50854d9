// The Modelfile parser: commands, quoting, typed parameters and errors with line numbers.
#include <gtest/gtest.h>

#include <string>

#include "store/model_options.h"
#include "store/modelfile.h"

namespace hearth::store {
namespace {

using nlohmann::json;

ModelSpec parse_ok(const std::string& text) {
  Result<ModelSpec> spec = parse_modelfile(text);
  EXPECT_TRUE(spec.ok()) << text << "\n-> " << (spec.ok() ? "" : spec.error());
  return spec.ok() ? std::move(*spec) : ModelSpec{};
}

std::string parse_error(const std::string& text) {
  Result<ModelSpec> spec = parse_modelfile(text);
  EXPECT_FALSE(spec.ok()) << "accepted:\n" << text;
  return spec.ok() ? "" : spec.error();
}

TEST(Modelfile, ParsesEveryCommand) {
  const ModelSpec spec = parse_ok(
      "# a comment\n"
      "FROM ./model.gguf\n"
      "from ./mmproj.gguf\n"
      "\n"
      "PARAMETER temperature 0.7\n"
      "parameter num_ctx 4096\n"
      "PARAMETER stop <end_of_turn>\n"
      "PARAMETER stop \"<|im_end|>\"\n"
      "PARAMETER use_mmap false\n"
      "SYSTEM You are a concise assistant.\n"
      "TEMPLATE \"\"\"{{ .System }}\n"
      "  {{ .Prompt }}\"\"\"\n"
      "MESSAGE user Is the sky blue?\n"
      "MESSAGE assistant \"yes\"\n"
      "LICENSE \"\"\"MIT\n"
      "License\"\"\"\n"
      "LICENSE Apache-2.0\n"
      "Renderer gemma4\n"
      "PARSER gemma4\n"
      "REQUIRES 0.12.0\n");
  ASSERT_EQ(spec.from.size(), 2u);
  EXPECT_EQ(spec.from[0].value, "./model.gguf");
  EXPECT_EQ(spec.from[0].line, 2u);
  EXPECT_EQ(spec.from[1].value, "./mmproj.gguf");
  EXPECT_EQ(spec.parameters, json::parse(R"({"temperature":0.7,"num_ctx":4096,"stop":["<end_of_turn>","<|im_end|>"],
                                             "use_mmap":false})"));
  EXPECT_TRUE(spec.parameters["num_ctx"].is_number_integer());
  EXPECT_TRUE(spec.parameters["temperature"].is_number_float());
  EXPECT_EQ(spec.system, "You are a concise assistant.");
  EXPECT_EQ(spec.template_text, "{{ .System }}\n  {{ .Prompt }}");
  EXPECT_EQ(*spec.messages, json::parse(R"([{"role":"user","content":"Is the sky blue?"},
                                            {"role":"assistant","content":"yes"}])"));
  EXPECT_EQ(spec.licenses, (std::vector<std::string>{"MIT\nLicense", "Apache-2.0"}));
  EXPECT_EQ(spec.renderer, "gemma4");
  EXPECT_EQ(spec.parser, "gemma4");
  EXPECT_EQ(spec.requires_version, "0.12.0");
}

TEST(Modelfile, QuotingFollowsOllama) {
  // A quoted value ends at the first line that ends with the quote; quotes inside stay.
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM \"say \"hi\" please\"\n").system, "say \"hi\" please");
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM \"first\nsecond\"\n").system, "first\nsecond");
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM \"\"\"\nline\n\"\"\"\n").system, "\nline\n");
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM \"\"\"a \"\"\" b\nc\"\"\"   \n").system, "a \"\"\" b\nc");
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM \"\"\n").system, "");
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM   padded value   \n").system, "padded value");
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM a # not a comment\n").system, "a # not a comment");
  // Windows line ends and a byte-order mark.
  const ModelSpec crlf = parse_ok("\xEF\xBB\xBF" "FROM x\r\nSYSTEM \"\"\"a\r\nb\"\"\"\r\n");
  EXPECT_EQ(crlf.from[0].value, "x");
  EXPECT_EQ(crlf.system, "a\nb");
  // The last SYSTEM and TEMPLATE win; tabs separate like spaces.
  EXPECT_EQ(parse_ok("FROM x\nSYSTEM one\nSYSTEM\ttwo\n").system, "two");
  EXPECT_EQ(parse_ok("FROM gemma4:e2b").from[0].value, "gemma4:e2b");
}

TEST(Modelfile, ParametersAreTyped) {
  const ModelSpec spec = parse_ok(
      "FROM x\nPARAMETER seed -1\nPARAMETER top_k 64\nPARAMETER top_p 0.95\nPARAMETER min_p 0\n"
      "PARAMETER repeat_penalty 1\nPARAMETER use_mmap T\nPARAMETER think_budget 512\n");
  EXPECT_EQ(spec.parameters["seed"], -1);
  EXPECT_TRUE(spec.parameters["top_k"].is_number_integer());
  EXPECT_TRUE(spec.parameters["repeat_penalty"].is_number_float());
  EXPECT_EQ(spec.parameters["use_mmap"], true);
  EXPECT_EQ(spec.parameters["think_budget"], 512);
  const ModelSpec deprecated = parse_ok("FROM x\nPARAMETER mirostat 2\n");
  EXPECT_TRUE(deprecated.parameters.empty());
  ASSERT_EQ(deprecated.warnings.size(), 1u);
  EXPECT_NE(deprecated.warnings[0].find("mirostat"), std::string::npos);
}

TEST(Modelfile, ErrorsNameTheLine) {
  auto expect = [](const std::string& text, const std::string& fragment) {
    const std::string error = parse_error(text);
    EXPECT_NE(error.find(fragment), std::string::npos) << "error: " << error << "\nwanted: " << fragment;
  };
  expect("SYSTEM hi\n", "no FROM");
  expect("", "no FROM");
  expect("# only a comment\n", "no FROM");
  expect("FROM x\nPARAMETER temprature 1\n", "line 2: unknown parameter 'temprature'");
  expect("FROM x\nPARAMETER top_k many\n", "line 2: invalid value 'many' for parameter 'top_k'");
  expect("FROM x\nPARAMETER top_k 1.5\n", "line 2: invalid value '1.5'");
  expect("FROM x\nPARAMETER temperature hot\n", "line 2:");
  expect("FROM x\nPARAMETER temperature nan\n", "line 2:");
  expect("FROM x\nPARAMETER use_mmap yes\n", "line 2:");
  expect("FROM x\nPARAMETER seed 99999999999999999999\n", "line 2:");
  expect("FROM x\nPARAMETER temperature\n", "line 2: PARAMETER needs a name and a value");
  expect("FROM x\n\nADAPTER ./lora.gguf\n", "line 3: ADAPTER: adapters (LoRA) are not supported");
  expect("FROM x\nDRAFT ./d.gguf\n", "line 2: DRAFT");
  expect("FROM x\nFOO bar\n", "line 2: unknown command 'FOO'");
  expect("FROM x\nFROM\n", "line 2: FROM needs a value");
  expect("FROM x\nMESSAGE tool hi\n", "line 2: MESSAGE role must be system, user or assistant");
  expect("FROM x\nMESSAGE user\n", "line 2: MESSAGE needs content");
  expect("FROM x\nSYSTEM \"\"\"never\nclosed\n", "line 2: the \"\"\" opened on line 2 is never closed");
  expect("FROM x\nSYSTEM \"open\n", "is never closed");
  expect("FROM x\n123 abc\n", "line 2: expected a command");
  expect("FROM x\nSYSTEM:x\n", "line 2: expected a command");
  expect("FROM x\nSYSTEM \xff\xfe\n", "line 2: text is not valid UTF-8");
  expect("FROM x\nSYSTEM \xed\xa0\x80\n", "not valid UTF-8");  // a UTF-16 surrogate
  expect("FROM x\nSYSTEM \xc0\xaf\n", "not valid UTF-8");      // an overlong '/'
  expect(std::string(kMaxModelfileBytes + 1, '#'), "larger than");
}

TEST(ModelOptions, NormalizesJsonOptions) {
  Result<json> strict = normalize_parameters(json::parse(R"({"num_ctx":8192.0,"temperature":1,"stop":"x",
                                                            "use_mmap":true})"), true);
  ASSERT_TRUE(strict.ok()) << strict.error();
  EXPECT_EQ(*strict, json::parse(R"({"num_ctx":8192,"temperature":1.0,"stop":["x"],"use_mmap":true})"));
  EXPECT_TRUE((*strict)["num_ctx"].is_number_integer());
  EXPECT_FALSE(normalize_parameters(json::parse(R"({"num_ctx":"big"})"), true).ok());
  EXPECT_FALSE(normalize_parameters(json::parse(R"({"num_ctx":1.5})"), true).ok());
  EXPECT_FALSE(normalize_parameters(json::parse(R"({"num_ctx":1e300})"), true).ok());
  EXPECT_FALSE(normalize_parameters(json::parse(R"({"stop":[1]})"), true).ok());
  EXPECT_FALSE(normalize_parameters(json::parse(R"({"bogus":1})"), true).ok());
  EXPECT_FALSE(normalize_parameters(json::parse("[]"), true).ok());
  std::vector<std::string> dropped;
  Result<json> lenient = normalize_parameters(json::parse(R"({"bogus":1,"top_k":"x","top_p":0.9})"), false, &dropped);
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(*lenient, json::parse(R"({"top_p":0.9})"));
  EXPECT_EQ(dropped.size(), 2u);
}

}  // namespace
}  // namespace hearth::store
