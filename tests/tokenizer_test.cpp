// Tokenizer tests: llama.cpp's test vectors on the three vocabulary fixtures, special-token parsing, round
// trips, streaming detokenization, the tiny model fixtures, and hostile vocabularies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/fixtures.h"
#include "tokenizer/gguf_vocabulary.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"

namespace hearth::tokenizer {
namespace {

using Ids = std::vector<TokenId>;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// One llama.cpp test vector: the input text and the expected ids (vocab README: add_special = false,
// parse_special = false).
struct VectorCase {
  std::string input;
  Ids expected;
};

std::vector<VectorCase> read_vectors(const std::filesystem::path& vocab_path) {
  const std::string separator = "\n__ggml_vocab_test__\n";
  const std::string inputs = read_file(vocab_path.string() + ".inp");
  std::vector<std::string> texts;
  size_t start = 0;
  for (size_t at = inputs.find(separator); at != std::string::npos; at = inputs.find(separator, start)) {
    texts.push_back(inputs.substr(start, at - start));
    start = at + separator.size();
  }
  if (start < inputs.size()) texts.push_back(inputs.substr(start));  // no trailing separator

  std::istringstream outputs(read_file(vocab_path.string() + ".out"));
  std::vector<VectorCase> cases;
  std::string line;
  for (size_t i = 0; i < texts.size() && std::getline(outputs, line); ++i) {
    VectorCase vector_case{texts[i], {}};
    std::istringstream ids(line);
    for (TokenId id; ids >> id;) vector_case.expected.push_back(id);
    cases.push_back(std::move(vector_case));
  }
  EXPECT_EQ(cases.size(), texts.size()) << "fewer .out lines than inputs";
  return cases;
}

// Loading a 262k-token vocabulary takes a moment; each file is loaded once per test binary.
const Tokenizer& load_fixture_tokenizer(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  auto& slot = cache[name];
  if (!slot) {
    auto file = gguf::GgufFile::open(test::fixture(name));
    if (!file) throw std::runtime_error(file.error());
    auto tokenizer = tokenizer_from_gguf(**file);
    if (!tokenizer) throw std::runtime_error(tokenizer.error());
    slot = std::make_unique<Tokenizer>(std::move(*tokenizer));
  }
  return *slot;
}

const Tokenizer& vocab(const std::string& name) { return load_fixture_tokenizer("vocab/ggml-vocab-" + name + ".gguf"); }

// --- llama.cpp test vectors ---------------------------------------------------------------------------------

class VocabVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(VocabVectors, EveryInputTokenizesToTheExpectedIds) {
  HEARTH_REQUIRE_FIXTURES();
  const std::string name = GetParam();
  const Tokenizer& tokenizer = vocab(name);
  const auto cases = read_vectors(test::fixture("vocab/ggml-vocab-" + name + ".gguf"));
  ASSERT_EQ(cases.size(), 46u);
  size_t passed = 0;
  for (const VectorCase& vector_case : cases) {
    const Ids ids = tokenizer.tokenize(vector_case.input, false, false);
    EXPECT_EQ(ids, vector_case.expected) << "input: '" << vector_case.input << "'";
    passed += ids == vector_case.expected;
  }
  std::cout << "[ " << name << " ] " << passed << "/" << cases.size() << " vectors pass\n";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VocabVectors, ::testing::Values("gemma-4", "llama-bpe", "qwen2"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

// Detokenizing gives the input back, except where llama.cpp's space clean-up rewrites " ?", " !", " .", " ,"
// and " '" (Gemma 4 and Llama 3 turn it on; Qwen does not).
TEST(VocabRoundTrip, DetokenizeGivesTheInputBack) {
  HEARTH_REQUIRE_FIXTURES();
  for (const std::string name : {"gemma-4", "llama-bpe", "qwen2"}) {
    const Tokenizer& tokenizer = vocab(name);
    const bool cleans_spaces = name != "qwen2";
    size_t checked = 0;
    for (const VectorCase& vector_case : read_vectors(test::fixture("vocab/ggml-vocab-" + name + ".gguf"))) {
      const std::string& text = vector_case.input;
      if (cleans_spaces && (text.find(" ?") != std::string::npos || text.find(" !") != std::string::npos ||
                            text.find(" .") != std::string::npos || text.find(" ,") != std::string::npos ||
                            text.find(" '") != std::string::npos)) {
        continue;
      }
      EXPECT_EQ(tokenizer.detokenize(tokenizer.tokenize(text, false, false), false, false), text) << name;
      ++checked;
    }
    EXPECT_GE(checked, 40u) << name;
  }
}

TEST(VocabRoundTrip, SpaceCleanUpFollowsLlamaCpp) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& llama = vocab("llama-bpe");
  auto round_trip = [&](const std::string& text) { return llama.detokenize(llama.tokenize(text, false, false), false, false); };
  EXPECT_EQ(round_trip("find . -name x , y ?"), "find. -name x, y?");
  EXPECT_EQ(round_trip("it ' s he 's we 're I 'll"), "it's he's we're I 'll");
  const Tokenizer& qwen = vocab("qwen2");
  EXPECT_EQ(qwen.detokenize(qwen.tokenize("find . -name", false, false), false, false), "find . -name");
}

// --- special tokens ------------------------------------------------------------------------------------------

TEST(SpecialTokens, Gemma4ControlTokensOnlyWithParseSpecial) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& gemma = vocab("gemma-4");
  const std::string text = "<|turn>user\nHi<turn|>";
  const Ids parsed = gemma.tokenize(text, false, true);
  ASSERT_GE(parsed.size(), 3u);
  EXPECT_EQ(parsed.front(), 105);
  EXPECT_EQ(parsed.back(), 106);
  const Ids plain = gemma.tokenize(text, false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 105), 0);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 106), 0);
  EXPECT_EQ(gemma.detokenize(plain, false, false), text);
}

TEST(SpecialTokens, Gemma4UserDefinedTokensAlwaysMatch) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& gemma = vocab("gemma-4");
  EXPECT_EQ(gemma.tokenize("<|\"|>", false, false), Ids{52});
  EXPECT_EQ(gemma.tokenize("<tool_response|>", false, false), Ids{51});
  // <|tool_response> is USER_DEFINED in the file but becomes CONTROL as an end-of-generation token.
  EXPECT_EQ(gemma.tokenize("<|tool_response>", false, true), Ids{50});
  EXPECT_NE(gemma.tokenize("<|tool_response>", false, false), Ids{50});
  EXPECT_TRUE(gemma.is_end_of_generation(50));
  EXPECT_TRUE(gemma.is_end_of_generation(106));
  EXPECT_TRUE(gemma.is_end_of_generation(1));
  EXPECT_FALSE(gemma.is_end_of_generation(212));  // </s> is ordinary text for Gemma 4
  EXPECT_EQ(gemma.end_of_generation(), (Ids{1, 50, 106}));
}

TEST(SpecialTokens, QwenThinkAlwaysMatchesAndImStartOnlyWhenParsing) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& qwen = vocab("qwen2");
  EXPECT_EQ(qwen.tokenize("<think>", false, false), Ids{151667});
  EXPECT_EQ(qwen.tokenize("<|im_start|>user", false, true).front(), 151644);
  EXPECT_NE(qwen.tokenize("<|im_start|>user", false, false).front(), 151644);
  const TokenId end_of_sentence = qwen.find_token("</s>");
  ASSERT_NE(end_of_sentence, kNoToken);
  EXPECT_EQ(qwen.tokenize("</s>", false, true), Ids{end_of_sentence});
  EXPECT_TRUE(qwen.is_end_of_generation(end_of_sentence));
  EXPECT_TRUE(qwen.is_end_of_generation(151645));  // <|im_end|>
  EXPECT_TRUE(qwen.is_end_of_generation(qwen.find_token("<|fim_pad|>")));
}

TEST(SpecialTokens, LongerSpecialTokensAreCutOutFirst) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& llama = vocab("llama-bpe");
  const Ids ids = llama.tokenize("a<|begin_of_text|><|eot_id|>b", false, true);
  EXPECT_EQ(ids, (Ids{64, 128000, 128009, 65}));
  EXPECT_EQ(llama.detokenize(ids, false, true), "a<|begin_of_text|><|eot_id|>b");
  EXPECT_EQ(llama.detokenize(ids, false, false), "ab");
}

TEST(SpecialTokens, BosAndEosFollowTheVocabulary) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& gemma = vocab("gemma-4");
  EXPECT_TRUE(gemma.add_bos());
  EXPECT_EQ(gemma.tokenize("Hello", true, false), (Ids{2, 9259}));
  EXPECT_EQ(gemma.tokenize("", true, false), Ids{2});
  EXPECT_EQ(gemma.detokenize(Ids{2, 9259}, true, false), "Hello");
  EXPECT_EQ(gemma.detokenize(Ids{2, 9259}, false, true), "<bos>Hello");

  const Tokenizer& llama = vocab("llama-bpe");  // no add_bos key: llama-bpe defaults to true
  EXPECT_EQ(llama.tokenize("Hello", true, false).front(), 128000);

  const Tokenizer& qwen = vocab("qwen2");
  EXPECT_FALSE(qwen.add_bos());
  EXPECT_EQ(qwen.tokenize("Hello", true, false), Ids{9707});
}

// --- tiny model fixtures -------------------------------------------------------------------------------------

// llama-tokenize (add_special and parse_special on) produced the goldens' prompt ids.
TEST(TinyModels, TokenizersLoadAndMatchLlamaTokenize) {
  HEARTH_REQUIRE_FIXTURES();
  for (const std::string model :
       {"gemma4-dense-tiny", "gemma4-moe-tiny", "llama4-tiny", "qwen35-tiny", "qwen35moe-tiny", "qwen3next-tiny"}) {
    const auto golden = nlohmann::json::parse(read_file(test::fixture(model + ".golden.json")));
    const auto& smoke = golden.at("llama_completion_smoke");
    const Tokenizer& tokenizer = load_fixture_tokenizer(model + ".gguf");
    EXPECT_EQ(tokenizer.tokenize(smoke.at("prompt_text").get<std::string>(), true, true),
              smoke.at("prompt_token_ids").get<Ids>())
        << model;
  }
}

// --- core behaviour on hand-built vocabularies ---------------------------------------------------------------

std::string hex_token(int byte) {
  char text[8];
  std::snprintf(text, sizeof text, "<0x%02X>", byte);
  return text;
}

// A small Gemma 4 style vocabulary: 0 <pad>, 1 <eos>, 2 <bos>, 3..258 byte tokens, then words.
Vocabulary tiny_gemma4_vocabulary() {
  Vocabulary vocabulary;
  vocabulary.pre = PreTokenizerKind::Gemma4;
  vocabulary.tokens = {"<pad>", "<eos>", "<bos>"};
  vocabulary.types = {TokenType::Control, TokenType::Control, TokenType::Control};
  for (int byte = 0; byte < 256; ++byte) {
    vocabulary.tokens.push_back(hex_token(byte));
    vocabulary.types.push_back(TokenType::Byte);
  }
  for (const char* word : {"a", "b", "c", "ab", "bc", "abc", "\xE2\x96\x81", "\xE2\x96\x81" "a", "\n", "\n\n"}) {
    vocabulary.tokens.push_back(word);
    vocabulary.types.push_back(TokenType::Normal);
  }
  vocabulary.tokens.push_back("<|turn>");
  vocabulary.types.push_back(TokenType::Control);
  vocabulary.merges = {"b c", "a b", "ab c", "\xE2\x96\x81 a"};
  vocabulary.special.bos = 2;
  vocabulary.special.eos = 1;
  return vocabulary;
}

TokenId id_of(const Tokenizer& tokenizer, std::string_view text) { return tokenizer.find_token(text); }

Tokenizer make(Vocabulary vocabulary) {
  auto tokenizer = Tokenizer::create(std::move(vocabulary));
  if (!tokenizer) throw std::runtime_error(tokenizer.error());
  return std::move(*tokenizer);
}

TEST(BpeCore, LowerRankMergesFirst) {
  const Tokenizer tokenizer = make(tiny_gemma4_vocabulary());
  // "b c" (rank 0) beats "a b" (rank 1), so "abc" becomes a + bc, which has no merge.
  EXPECT_EQ(tokenizer.tokenize("abc", false, false), (Ids{id_of(tokenizer, "a"), id_of(tokenizer, "bc")}));
  EXPECT_EQ(tokenizer.tokenize(" a", false, false), Ids{id_of(tokenizer, "\xE2\x96\x81" "a")});
}

TEST(BpeCore, Gemma4FallsBackToByteTokensAndKeepsNewlineRunsWhole) {
  const Tokenizer tokenizer = make(tiny_gemma4_vocabulary());
  // "é" = C3 A9 has no token: one <0xXX> token per byte.
  EXPECT_EQ(tokenizer.tokenize("\xC3\xA9", false, false), (Ids{3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(tokenizer.tokenize("\n\n", false, false), Ids{id_of(tokenizer, "\n\n")});
  EXPECT_EQ(tokenizer.tokenize("a\n\nb", true, false),
            (Ids{2, id_of(tokenizer, "a"), id_of(tokenizer, "\n\n"), id_of(tokenizer, "b")}));
  // Invalid UTF-8 is read as U+FFFD before BPE, as llama.cpp does.
  EXPECT_EQ(tokenizer.tokenize("\xFF", false, false), (Ids{3 + 0xEF, 3 + 0xBF, 3 + 0xBD}));
  EXPECT_EQ(tokenizer.detokenize(Ids{3 + 0xC3, 3 + 0xA9}, false, false), "\xC3\xA9");
}

TEST(BpeCore, ControlTokensSplitOnlyWhenParsingSpecial) {
  const Tokenizer tokenizer = make(tiny_gemma4_vocabulary());
  const TokenId turn = id_of(tokenizer, "<|turn>");
  EXPECT_EQ(tokenizer.tokenize("a<|turn>b", false, true), (Ids{id_of(tokenizer, "a"), turn, id_of(tokenizer, "b")}));
  const Ids plain = tokenizer.tokenize("a<|turn>b", false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), turn), 0);
  EXPECT_EQ(tokenizer.token_to_piece(turn, false), "");
  EXPECT_EQ(tokenizer.token_to_piece(turn, true), "<|turn>");
}

// --- streaming detokenizer -----------------------------------------------------------------------------------

TEST(StreamDecoder, HoldsBackCharactersSplitAcrossByteTokens) {
  const Tokenizer tokenizer = make(tiny_gemma4_vocabulary());
  StreamDecoder decoder(tokenizer, false);
  // U+20AC EURO SIGN = E2 82 AC, then U+1F999 = F0 9F A6 99.
  EXPECT_EQ(decoder.push(3 + 0xE2), "");
  EXPECT_EQ(decoder.push(3 + 0x82), "");
  EXPECT_EQ(decoder.push(3 + 0xAC), "\xE2\x82\xAC");
  EXPECT_EQ(decoder.push(id_of(tokenizer, "a")), "a");
  EXPECT_EQ(decoder.push(3 + 0xF0), "");
  EXPECT_EQ(decoder.push(3 + 0x9F), "");
  EXPECT_EQ(decoder.push(3 + 0xA6), "");
  EXPECT_EQ(decoder.push(3 + 0x99), "\xF0\x9F\xA6\x99");
  EXPECT_EQ(decoder.finish(), "");
}

TEST(StreamDecoder, ReplacesBytesThatCanNeverCompleteACharacter) {
  const Tokenizer tokenizer = make(tiny_gemma4_vocabulary());
  StreamDecoder decoder(tokenizer, false);
  EXPECT_EQ(decoder.push(3 + 0xFF), "\xEF\xBF\xBD");  // never valid in UTF-8
  EXPECT_EQ(decoder.push(3 + 0xE2), "");
  EXPECT_EQ(decoder.push(id_of(tokenizer, "a")), "\xEF\xBF\xBD" "a");  // E2 cut short by 'a'
  EXPECT_EQ(decoder.push(3 + 0xED), "");
  EXPECT_EQ(decoder.push(3 + 0xA0), "\xEF\xBF\xBD\xEF\xBF\xBD");  // ED A0 would be a surrogate
  EXPECT_EQ(decoder.push(3 + 0xF0), "");
  EXPECT_EQ(decoder.push(3 + 0x9F), "");
  EXPECT_EQ(decoder.finish(), "\xEF\xBF\xBD");  // unfinished at the end of the stream
  EXPECT_EQ(decoder.finish(), "");
}

TEST(StreamDecoder, ByteLevelPiecesOfAnEmojiComeOutWhole) {
  HEARTH_REQUIRE_FIXTURES();
  const Tokenizer& qwen = vocab("qwen2");
  const std::string text = " this is \xF0\x9F\xA6\x99.cpp";  // the llama is split over several tokens
  StreamDecoder decoder(qwen, false);
  std::string streamed;
  for (TokenId id : qwen.tokenize(text, false, false)) {
    const std::string piece = decoder.push(id);
    EXPECT_EQ(piece.find("\xEF\xBF\xBD"), std::string::npos);
    streamed += piece;
  }
  streamed += decoder.finish();
  EXPECT_EQ(streamed, text);
}

// --- hostile vocabularies ------------------------------------------------------------------------------------

std::string create_error(Vocabulary vocabulary) {
  auto tokenizer = Tokenizer::create(std::move(vocabulary));
  return tokenizer ? std::string() : tokenizer.error();
}

TEST(HostileVocabulary, DuplicateTokenTextsAreRejected) {
  Vocabulary vocabulary = tiny_gemma4_vocabulary();
  vocabulary.tokens[268] = "a";
  EXPECT_NE(create_error(vocabulary).find("duplicate token text 'a'"), std::string::npos) << create_error(vocabulary);
}

TEST(HostileVocabulary, ShortScoreAndTypeArraysAreRejected) {
  Vocabulary scores = tiny_gemma4_vocabulary();
  scores.scores.assign(10, 0.0f);
  EXPECT_NE(create_error(scores).find("only 10 scores"), std::string::npos) << create_error(scores);
  Vocabulary types = tiny_gemma4_vocabulary();
  types.types.resize(3);
  EXPECT_NE(create_error(types).find("only 3 token types"), std::string::npos) << create_error(types);
}

TEST(HostileVocabulary, MergeWithoutSpaceIsRejected) {
  Vocabulary vocabulary = tiny_gemma4_vocabulary();
  vocabulary.merges.push_back("abc");
  EXPECT_NE(create_error(vocabulary).find("merge 4 ('abc') has no space"), std::string::npos);
  vocabulary.merges.back() = " abc";  // a leading space is part of the left text, not the separator
  EXPECT_NE(create_error(vocabulary).find("has no space"), std::string::npos);
}

TEST(HostileVocabulary, OutOfRangeSpecialIdsAreIgnoredWithAWarning) {
  Vocabulary vocabulary = tiny_gemma4_vocabulary();
  vocabulary.special.eos = 1u << 30;
  vocabulary.special.padding = 100000;
  const Tokenizer tokenizer = make(vocabulary);
  EXPECT_EQ(tokenizer.special().eos, kNoToken);
  EXPECT_EQ(tokenizer.special().padding, kNoToken);
  EXPECT_EQ(tokenizer.warnings().size(), 2u);
  EXPECT_EQ(tokenizer.token_to_piece(1 << 30, true), "");
  EXPECT_EQ(tokenizer.detokenize(Ids{-5, 999999}, false, true), "");
}

TEST(HostileVocabulary, BosRequiredButMissingIsRejected) {
  Vocabulary vocabulary = tiny_gemma4_vocabulary();
  vocabulary.special.bos = 5000;  // out of range, so Gemma 4's forced BOS has no token
  EXPECT_NE(create_error(vocabulary).find("BOS"), std::string::npos);
  Vocabulary empty;
  EXPECT_EQ(create_error(empty), "vocabulary has no tokens");
}

class HostileGguf : public ::testing::Test {
 protected:
  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("hearth_tokenizer_" + std::to_string(::getpid()) + ".gguf");
  void TearDown() override { std::filesystem::remove(path_); }

  std::string load_error(const std::vector<gguf::KeyValue>& extra) {
    gguf::GgufWriter writer;
    writer.set("general.architecture", gguf::Value::string("gemma4"));
    writer.set("tokenizer.ggml.model", gguf::Value::string("gemma4"));
    writer.set("tokenizer.ggml.tokens", gguf::Value::string_array({"<pad>", "<eos>", "<bos>", "a", "b"}));
    writer.set("tokenizer.ggml.merges", gguf::Value::string_array({"a b"}));
    writer.set("tokenizer.ggml.bos_token_id", gguf::Value::u32(2));
    for (const auto& [key, value] : extra) writer.set(key, value);
    if (Status written = writer.write(path_); !written) return "write failed: " + written.error();
    auto file = gguf::GgufFile::open(path_);
    if (!file) return file.error();
    auto tokenizer = tokenizer_from_gguf(**file);
    return tokenizer ? std::string() : tokenizer.error();
  }
};

TEST_F(HostileGguf, WellFormedFileLoads) { EXPECT_EQ(load_error({}), ""); }

TEST_F(HostileGguf, BadMetadataGivesClearErrors) {
  EXPECT_NE(load_error({{"tokenizer.ggml.eos_token_id", gguf::Value::i32(1)}}).find("expected UINT32"),
            std::string::npos);
  EXPECT_NE(load_error({{"tokenizer.ggml.model", gguf::Value::string("bert")}}).find("unsupported tokenizer.ggml.model"),
            std::string::npos);
  EXPECT_NE(load_error({{"tokenizer.ggml.model", gguf::Value::string("gpt2")},
                        {"tokenizer.ggml.pre", gguf::Value::string("mystery")}})
                .find("unsupported tokenizer.ggml.pre 'mystery'"),
            std::string::npos);
  EXPECT_NE(load_error({{"tokenizer.ggml.scores", gguf::Value::string_array({"x", "y", "z", "w", "v"})}})
                .find("tokenizer.ggml.scores"),
            std::string::npos);
  EXPECT_NE(load_error({{"tokenizer.ggml.tokens", gguf::Value::string_array({"a", "b", "a"})}}).find("duplicate"),
            std::string::npos);
}

TEST_F(HostileGguf, OllamaGemma4VariantIsReadAsGemma4) {
  EXPECT_EQ(load_error({{"tokenizer.ggml.model", gguf::Value::string("llama")},
                        {"tokenizer.ggml.pre", gguf::Value::string("gemma4")}}),
            "");
  EXPECT_NE(load_error({{"tokenizer.ggml.model", gguf::Value::string("llama")}}).find("unsupported"),
            std::string::npos);
}

}  // namespace
}  // namespace hearth::tokenizer
