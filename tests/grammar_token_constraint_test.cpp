// TokenConstraint over real vocabularies: a greedy "sampler" over seeded random logits, masked at every
// step, must always have a token left and must end with JSON text that validates against the schema.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/grammar/json_schema.h"
#include "engine/grammar/token_constraint.h"
#include "gguf/gguf_file.h"
#include "support/fixtures.h"
#include "tokenizer/gguf_vocabulary.h"

namespace hearth::engine::grammar {
namespace {

using json = nlohmann::ordered_json;

struct LoadedVocab {
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::shared_ptr<const TokenTrie> trie;
};

const LoadedVocab& load_vocab(const std::string& name) {
  static std::map<std::string, LoadedVocab> cache;
  LoadedVocab& slot = cache[name];
  if (!slot.tokenizer) {
    auto file = gguf::GgufFile::open(test::fixture("vocab/ggml-vocab-" + name + ".gguf"));
    if (!file) throw std::runtime_error(file.error());
    auto tokenizer = tokenizer::tokenizer_from_gguf(**file);
    if (!tokenizer) throw std::runtime_error(tokenizer.error());
    slot.tokenizer = std::make_unique<tokenizer::Tokenizer>(std::move(*tokenizer));
    slot.trie = TokenTrie::build(*slot.tokenizer);
  }
  return slot;
}

// --- a validator for the schema subset the compiler supports ------------------------------------------------

size_t code_points(const std::string& text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

bool validate(const json& value, const json& schema, const json& root);

bool validate_type(const json& value, const std::string& type, const json& schema, const json& root) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "string") {
    if (!value.is_string()) return false;
    const size_t length = code_points(value.get<std::string>());
    return length >= schema.value("minLength", size_t{0}) && length <= schema.value("maxLength", SIZE_MAX);
  }
  if (type == "array") {
    if (!value.is_array()) return false;
    if (value.size() < schema.value("minItems", size_t{0}) || value.size() > schema.value("maxItems", SIZE_MAX)) return false;
    for (const json& item : value) {
      if (schema.contains("items") && !validate(item, schema["items"], root)) return false;
    }
    return true;
  }
  if (type == "object") {
    if (!value.is_object()) return false;
    const json properties = schema.value("properties", json::object());
    for (const json& name : schema.value("required", json::array())) {
      if (!value.contains(name.get<std::string>())) return false;
    }
    size_t last_index = 0;
    for (const auto& [key, member] : value.items()) {
      if (properties.contains(key)) {
        // Declared properties come in the schema's order.
        size_t index = 0;
        for (const auto& [declared, unused] : properties.items()) {
          if (declared == key) break;
          ++index;
        }
        if (index < last_index) return false;
        last_index = index;
        if (!validate(member, properties[key], root)) return false;
      } else {
        const json additional = schema.value("additionalProperties", json(!schema.contains("properties")));
        if (additional.is_boolean() ? !additional.get<bool>() : !validate(member, additional, root)) return false;
      }
    }
    return true;
  }
  return false;
}

bool validate(const json& value, const json& schema, const json& root) {
  if (schema.is_boolean()) return schema.get<bool>();
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    return validate(value, root.at(json::json_pointer(ref.substr(1))), root);
  }
  if (schema.contains("const")) return value == schema["const"];
  if (schema.contains("enum")) {
    for (const json& allowed : schema["enum"]) {
      if (value == allowed) return true;
    }
    return false;
  }
  for (const char* keyword : {"anyOf", "oneOf"}) {
    if (!schema.contains(keyword)) continue;
    for (const json& option : schema[keyword]) {
      if (validate(value, option, root)) return true;
    }
    return false;
  }
  if (!schema.contains("type")) return true;
  if (schema["type"].is_string()) return validate_type(value, schema["type"], schema, root);
  for (const json& type : schema["type"]) {
    if (validate_type(value, type, schema, root)) return true;
  }
  return false;
}

// --- the driver ----------------------------------------------------------------------------------------------

struct Generation {
  std::string text;
  size_t steps = 0;
  double mask_seconds = 0;
  bool ended = false;
};

// Greedy over random logits. Past `close_after` steps, tokens made only of closing characters and the end
// tokens get a large bonus, so that unbounded strings, arrays and objects finish.
Generation generate(const LoadedVocab& vocab, const Grammar& grammar, uint32_t seed, size_t close_after = 120) {
  auto constraint = TokenConstraint::create(std::make_shared<const Grammar>(grammar), vocab.trie);
  EXPECT_TRUE(constraint.ok()) << constraint.error();
  Generation generation;
  if (!constraint.ok()) return generation;
  const size_t vocab_size = vocab.tokenizer->size();
  std::vector<bool> closing(vocab_size, false);
  for (size_t id = 0; id < vocab_size; ++id) {
    const std::string_view piece = vocab.trie->piece(static_cast<int32_t>(id));
    closing[id] = !piece.empty() && piece.find_first_not_of("\"}] ") == std::string_view::npos;
  }
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0.0f, 3.0f);
  std::vector<float> logits(vocab_size);
  for (size_t step = 0; step < 3000; ++step) {
    for (size_t id = 0; id < vocab_size; ++id) {
      logits[id] = noise(random);
      if (step >= close_after && (closing[id] || vocab.trie->is_end_of_generation(static_cast<int32_t>(id)))) logits[id] += 100;
    }
    const auto start = std::chrono::steady_clock::now();
    (*constraint)->mask(logits);
    generation.mask_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    size_t best = 0;
    size_t allowed = 0;
    for (size_t id = 0; id < vocab_size; ++id) {
      if (std::isinf(logits[id])) continue;
      ++allowed;
      const auto attributes = vocab.tokenizer->attributes(static_cast<int32_t>(id));
      if (!vocab.trie->is_end_of_generation(static_cast<int32_t>(id))) {
        EXPECT_EQ(attributes & (tokenizer::token_attribute::kControl | tokenizer::token_attribute::kUserDefined), 0)
            << "special token " << id << " allowed";
      }
      if (logits[id] > logits[best] || std::isinf(logits[best])) best = id;
    }
    EXPECT_GT(allowed, 0u) << "no token left after \"" << generation.text << "\"";
    if (allowed == 0) return generation;
    const auto token = static_cast<int32_t>(best);
    EXPECT_TRUE((*constraint)->allows(token));
    ++generation.steps;
    Status accepted = (*constraint)->accept(token);
    EXPECT_TRUE(accepted.ok()) << accepted.error();
    if (!accepted.ok()) return generation;
    if (vocab.trie->is_end_of_generation(token)) {
      generation.ended = true;
      return generation;
    }
    generation.text += vocab.trie->piece(token);
  }
  return generation;
}

const char* const kSchemas[] = {
    R"({"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer"},"member":{"type":"boolean"}},"required":["name","age"]})",
    R"({"type":"array","items":{"enum":["red","green","blue",7,null]},"minItems":2,"maxItems":5})",
    R"({"$defs":{"point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"},"label":{"type":["string","null"],"maxLength":8}},"required":["x","y","label"]}},"type":"object","properties":{"points":{"type":"array","items":{"$ref":"#/$defs/point"},"maxItems":3},"kind":{"anyOf":[{"const":"polygon"},{"type":"integer"}]}},"required":["points","kind"],"additionalProperties":false})",
    R"({"type":"object","properties":{"when":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"},"notes":{"type":"array","items":{"type":"string"}}},"required":["when","id","notes"]})",
};

class GemmaConstraint : public testing::TestWithParam<int> {};

TEST_P(GemmaConstraint, GreedyRandomLogitsProduceValidJson) {
  HEARTH_REQUIRE_FIXTURES();
  const LoadedVocab& vocab = load_vocab("gemma-4");
  const json schema = json::parse(kSchemas[GetParam()]);
  Result<Grammar> grammar = grammar_from_json_schema(schema);
  ASSERT_TRUE(grammar.ok()) << grammar.error();
  for (uint32_t seed : {1u, 2u, 3u}) {
    const Generation generation = generate(vocab, *grammar, seed);
    ASSERT_TRUE(generation.ended) << "seed " << seed << ": did not finish: " << generation.text;
    const json value = json::parse(generation.text, nullptr, false);
    ASSERT_FALSE(value.is_discarded()) << "not JSON: " << generation.text;
    EXPECT_TRUE(validate(value, schema, schema)) << "does not validate: " << generation.text;
    std::cout << "[ schema " << GetParam() << " seed " << seed << " ] " << generation.steps << " tokens, "
              << 1e3 * generation.mask_seconds / static_cast<double>(generation.steps) << " ms/mask: " << generation.text
              << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Schemas, GemmaConstraint, testing::Range(0, static_cast<int>(std::size(kSchemas))));

TEST(GemmaConstraintModes, JsonModeEndsWithAnObject) {
  HEARTH_REQUIRE_FIXTURES();
  const LoadedVocab& vocab = load_vocab("gemma-4");
  for (uint32_t seed : {4u, 5u}) {
    const Generation generation = generate(vocab, json_object_grammar(), seed, 60);
    ASSERT_TRUE(generation.ended) << generation.text;
    const json value = json::parse(generation.text, nullptr, false);
    ASSERT_FALSE(value.is_discarded()) << generation.text;
    EXPECT_TRUE(value.is_object()) << generation.text;
  }
}

TEST(GemmaConstraintModes, EndOnlyWhenCompleteAndRejectsWrongTokens) {
  HEARTH_REQUIRE_FIXTURES();
  const LoadedVocab& vocab = load_vocab("gemma-4");
  Result<Grammar> grammar = grammar_from_json_schema_text(R"({"enum":["yes","no"]})");
  ASSERT_TRUE(grammar.ok());
  auto constraint = TokenConstraint::create(*grammar, *vocab.tokenizer);
  ASSERT_TRUE(constraint.ok()) << constraint.error();
  TokenConstraint& c = **constraint;
  const int32_t eos = vocab.tokenizer->end_of_generation().front();
  EXPECT_FALSE(c.complete());
  EXPECT_FALSE(c.allows(eos));
  EXPECT_FALSE(c.accept(eos).ok());
  const std::vector<tokenizer::TokenId> ids = vocab.tokenizer->tokenize("\"yes\"", false, false);
  const int32_t bad = vocab.tokenizer->tokenize("maybe", false, false).front();
  EXPECT_FALSE(c.allows(bad));
  EXPECT_FALSE(c.accept(bad).ok());
  for (tokenizer::TokenId id : ids) ASSERT_TRUE(c.accept(id).ok()) << id;
  EXPECT_TRUE(c.complete());
  EXPECT_TRUE(c.allows(eos));
  // Trailing whitespace is still possible, so ending is allowed but not forced.
  EXPECT_FALSE(c.must_end());
  std::vector<float> logits(vocab.tokenizer->size(), 0.0f);
  c.mask(logits);
  EXPECT_FALSE(std::isinf(logits[static_cast<size_t>(eos)]));
  ASSERT_TRUE(c.accept(eos).ok());
  EXPECT_TRUE(c.must_end());
}

TEST(GemmaConstraintModes, ByteFallbackTokensBuildCharacters) {
  HEARTH_REQUIRE_FIXTURES();
  const LoadedVocab& vocab = load_vocab("gemma-4");
  Result<Grammar> grammar = grammar_from_json_schema_text(R"({"type":"string","maxLength":1})");
  ASSERT_TRUE(grammar.ok());
  auto constraint = TokenConstraint::create(std::make_shared<const Grammar>(*grammar), vocab.trie);
  ASSERT_TRUE(constraint.ok());
  TokenConstraint& c = **constraint;
  ASSERT_TRUE(c.accept(vocab.tokenizer->find_token("\"")).ok());
  // "é" as two byte tokens: the lead byte alone is allowed, a second lead byte after it is not.
  const int32_t lead = vocab.tokenizer->find_token("<0xC3>");
  const int32_t trail = vocab.tokenizer->find_token("<0xA9>");
  ASSERT_GE(lead, 0);
  ASSERT_GE(trail, 0);
  EXPECT_FALSE(c.allows(trail));
  ASSERT_TRUE(c.accept(lead).ok());
  EXPECT_FALSE(c.allows(lead));
  ASSERT_TRUE(c.accept(trail).ok());
  EXPECT_FALSE(c.allows(vocab.tokenizer->find_token("a")));  // maxLength 1 reached
  EXPECT_TRUE(c.accept(vocab.tokenizer->find_token("\"")).ok());
  EXPECT_TRUE(c.complete());
}

// Reports (does not assert) timings: the trie build, and one mask at a structural point and inside an open
// string, where nearly every trie node stays alive (the worst case for a JSON schema).
TEST(GemmaConstraintModes, MaskTiming) {
  HEARTH_REQUIRE_FIXTURES();
  const LoadedVocab& vocab = load_vocab("gemma-4");
  using clock = std::chrono::steady_clock;
  const auto build_start = clock::now();
  const auto trie = TokenTrie::build(*vocab.tokenizer);
  const double build_ms = std::chrono::duration<double, std::milli>(clock::now() - build_start).count();
  Result<Grammar> grammar = grammar_from_json_schema_text(kSchemas[0]);
  ASSERT_TRUE(grammar.ok());
  auto constraint = TokenConstraint::create(std::make_shared<const Grammar>(*grammar), trie);
  ASSERT_TRUE(constraint.ok());
  std::vector<float> logits(vocab.tokenizer->size());
  auto time_masks = [&] {
    constexpr int kRepeats = 20;
    (*constraint)->mask(logits);  // fills the DFA rows this state needs
    const auto start = clock::now();
    for (int i = 0; i < kRepeats; ++i) (*constraint)->mask(logits);
    return std::chrono::duration<double, std::milli>(clock::now() - start).count() / kRepeats;
  };
  const double structural_ms = time_masks();
  for (tokenizer::TokenId id : vocab.tokenizer->tokenize("{\"name\": \"", false, false)) {
    ASSERT_TRUE((*constraint)->accept(id).ok());
  }
  const double in_string_ms = time_masks();
  std::cout << "[ timing ] trie build " << build_ms << " ms (" << trie->nodes().size() << " nodes); mask at object start "
            << structural_ms << " ms, inside a string " << in_string_ms << " ms\n";
}

TEST(ByteLevelVocab, GreedyRandomLogitsProduceValidJson) {
  HEARTH_REQUIRE_FIXTURES();
  const LoadedVocab& vocab = load_vocab("llama-bpe");
  const json schema = json::parse(kSchemas[0]);
  Result<Grammar> grammar = grammar_from_json_schema(schema);
  ASSERT_TRUE(grammar.ok());
  const Generation generation = generate(vocab, *grammar, 9);
  ASSERT_TRUE(generation.ended) << generation.text;
  const json value = json::parse(generation.text, nullptr, false);
  ASSERT_FALSE(value.is_discarded()) << generation.text;
  EXPECT_TRUE(validate(value, schema, schema)) << generation.text;
}

}  // namespace
}  // namespace hearth::engine::grammar
