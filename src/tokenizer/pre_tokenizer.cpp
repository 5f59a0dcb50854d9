#include "tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

namespace hearth::tokenizer {
namespace {

// llama.cpp's WHITESPACE flag set (spec §6.1), which differs from PCRE2's Unicode `\s` (U+180E, for one).
#define HEARTH_WS R"(\t-\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})"
#define HEARTH_CONTRACTIONS R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]))"
#define HEARTH_WHITESPACE_TAIL R"(|[)" HEARTH_WS R"(]*[\r\n]+|[)" HEARTH_WS R"(]+(?![^)" HEARTH_WS R"(])|[)" HEARTH_WS R"(]+)"

constexpr const char* kQwen2Pattern =
    HEARTH_CONTRACTIONS R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^)" HEARTH_WS R"(\p{L}\p{N}]+[\r\n]*)"
    HEARTH_WHITESPACE_TAIL;

constexpr const char* kLlama3Pattern =
    HEARTH_CONTRACTIONS R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^)" HEARTH_WS R"(\p{L}\p{N}]+[\r\n]*)"
    HEARTH_WHITESPACE_TAIL;

constexpr const char* kQwen35Pattern =
    HEARTH_CONTRACTIONS R"(|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^)" HEARTH_WS R"(\p{L}\p{M}\p{N}]+[\r\n]*)"
    HEARTH_WHITESPACE_TAIL;

// llama.cpp runs GPT-4o's regex through std::regex on text collapsed to one byte per code point, where
// "upper-ish" became "a letter that is not a-z", "lower-ish" "a letter that is not A-Z", and \p{M} was lost
// (spec §6.4). `[^\P{L}a-z]` is that same set as one class, which also spares PCRE2 a group repeat.
constexpr const char* kGpt4oPattern =
    R"([^\r\n\p{L}\p{N}]?[^\P{L}a-z]*[^\P{L}A-Z]+)" HEARTH_CONTRACTIONS
    R"(?|[^\r\n\p{L}\p{N}]?[^\P{L}a-z]+[^\P{L}A-Z]*)" HEARTH_CONTRACTIONS
    R"(?|\p{N}{1,3}| ?[^)" HEARTH_WS R"(\p{L}\p{N}]+[\r\n/]*)" HEARTH_WHITESPACE_TAIL;

#undef HEARTH_WHITESPACE_TAIL
#undef HEARTH_CONTRACTIONS
#undef HEARTH_WS

const char* pattern_for(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::Llama3: return kLlama3Pattern;
    case PreTokenizerKind::Qwen2: return kQwen2Pattern;
    case PreTokenizerKind::Qwen35: return kQwen35Pattern;
    case PreTokenizerKind::Gpt4o: return kGpt4oPattern;
    case PreTokenizerKind::Gemma4: return nullptr;
  }
  return nullptr;
}

// Surrogate code points survive llama.cpp's lenient decoding (as ED A0..BF xx) but are not UTF-8 to PCRE2.
// U+FFFD has the same length and, like a surrogate, is neither whitespace, letter, mark nor number.
bool has_surrogate(std::string_view text) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (static_cast<uint8_t>(text[i]) == 0xED && static_cast<uint8_t>(text[i + 1]) >= 0xA0) return true;
  }
  return false;
}

std::string replace_surrogates(std::string_view text) {
  std::string subject(text);
  for (size_t i = 0; i + 2 < subject.size(); ++i) {
    if (static_cast<uint8_t>(subject[i]) == 0xED && static_cast<uint8_t>(subject[i + 1]) >= 0xA0) {
      subject.replace(i, 3, "\xEF\xBF\xBD");
      i += 2;
    }
  }
  return subject;
}

void split_newline_runs(std::string_view text, std::vector<std::string_view>& pieces) {
  size_t start = 0;
  while (start < text.size()) {
    const bool newline = text[start] == '\n';
    size_t end = start + 1;
    while (end < text.size() && (text[end] == '\n') == newline) ++end;
    pieces.push_back(text.substr(start, end - start));
    start = end;
  }
}

}  // namespace

struct PreTokenizer::CompiledPattern {
  pcre2_code* code = nullptr;
  ~CompiledPattern() { pcre2_code_free(code); }
};

Result<PreTokenizer> PreTokenizer::create(PreTokenizerKind kind) {
  PreTokenizer pre_tokenizer;
  const char* pattern = pattern_for(kind);
  if (!pattern) return pre_tokenizer;

  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  auto compiled = std::make_shared<CompiledPattern>();
  compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
  if (!compiled->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof message);
    return make_error("pre-tokenizer regex does not compile at offset ", error_offset, ": ",
                      reinterpret_cast<const char*>(message));
  }
  // Without JIT support PCRE2 interprets the same pattern, only slower.
  pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE);
  pre_tokenizer.pattern_ = std::move(compiled);
  return pre_tokenizer;
}

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  if (!pattern_) {
    split_newline_runs(text, pieces);
    return;
  }
  const std::string safe_copy = has_surrogate(text) ? replace_surrogates(text) : std::string();
  const std::string_view subject = safe_copy.empty() ? text : std::string_view(safe_copy);

  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
  size_t start = 0;
  while (start < subject.size()) {
    const int found = pcre2_match(pattern_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), start,
                                  PCRE2_NO_UTF_CHECK, match.get(), nullptr);
    if (found < 0) break;
    const PCRE2_SIZE* bounds = pcre2_get_ovector_pointer(match.get());
    // Every alternative consumes at least one character; the check only guards against looping forever.
    if (bounds[1] == bounds[0]) break;
    // Text the regex skips over is a piece of its own, as in llama.cpp.
    if (bounds[0] > start) pieces.push_back(text.substr(start, bounds[0] - start));
    pieces.push_back(text.substr(bounds[0], bounds[1] - bounds[0]));
    start = bounds[1];
  }
  if (start < subject.size()) pieces.push_back(text.substr(start));
}

}  // namespace hearth::tokenizer
