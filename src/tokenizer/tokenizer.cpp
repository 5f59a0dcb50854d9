#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <limits>

#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace hearth::tokenizer {
namespace {

using namespace token_attribute;

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581, Gemma 4's written form of a space

std::string escape_spaces(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    if (c == ' ') {
      escaped += kSpaceMarker;
    } else {
      escaped += c;
    }
  }
  return escaped;
}

bool only_newlines(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return c == '\n'; });
}

Status check_length(size_t entries, size_t tokens, std::string_view what) {
  if (entries != 0 && entries < tokens) {
    return make_error("vocabulary has ", tokens, " tokens but only ", entries, " ", what);
  }
  return Status::success();
}

}  // namespace

Result<Tokenizer> Tokenizer::create(Vocabulary vocabulary) {
  const size_t count = vocabulary.tokens.size();
  if (count == 0) return make_error("vocabulary has no tokens");
  if (count > static_cast<size_t>(std::numeric_limits<TokenId>::max())) {
    return make_error("vocabulary has ", count, " tokens, more than token ids can address");
  }
  if (Status status = check_length(vocabulary.scores.size(), count, "scores"); !status) return Error{status.error()};
  if (Status status = check_length(vocabulary.types.size(), count, "token types"); !status) {
    return Error{status.error()};
  }
  for (size_t id = 0; id < count; ++id) {
    if (vocabulary.tokens[id].empty()) vocabulary.tokens[id] = "[EMPTY_" + std::to_string(id) + "]";
  }

  const bool gemma4 = vocabulary.pre == PreTokenizerKind::Gemma4;
  Result<BpeModel> model = BpeModel::create(vocabulary.tokens, vocabulary.merges,
                                            gemma4 ? ByteFallback::HexByteToken : ByteFallback::RawByteToken);
  if (!model) return std::move(model).take_error();
  Result<PreTokenizer> pre_tokenizer = PreTokenizer::create(vocabulary.pre);
  if (!pre_tokenizer) return std::move(pre_tokenizer).take_error();

  Tokenizer tokenizer;
  tokenizer.pre_kind_ = vocabulary.pre;
  tokenizer.model_ = std::move(*model);
  tokenizer.pre_tokenizer_ = std::move(*pre_tokenizer);
  tokenizer.attributes_.assign(count, kNormal);
  for (size_t id = 0; id < vocabulary.types.size() && id < count; ++id) {
    tokenizer.attributes_[id] = attributes_of(vocabulary.types[id]);
  }

  SpecialTokenSetup setup =
      resolve_special_tokens(vocabulary, tokenizer.model_, tokenizer.attributes_, tokenizer.warnings_);
  tokenizer.special_ = setup.ids;
  tokenizer.end_of_generation_ = std::move(setup.end_of_generation);

  // Defaults per pre-tokenizer family, then the file's flags; Gemma 4 always gets BOS.
  tokenizer.add_bos_ = vocabulary.add_bos.value_or(vocabulary.pre == PreTokenizerKind::Llama3) || gemma4;
  tokenizer.add_eos_ = vocabulary.add_eos.value_or(false);
  tokenizer.clean_spaces_ = gemma4 || vocabulary.pre == PreTokenizerKind::Llama3;
  if (tokenizer.add_bos_ && tokenizer.special_.bos == kNoToken) {
    return make_error("the vocabulary asks for a BOS token but has none");
  }
  if (tokenizer.add_eos_ && tokenizer.special_.eos == kNoToken) {
    return make_error("the vocabulary asks for an EOS token but has none");
  }

  for (size_t id = 0; id < count; ++id) {
    if (tokenizer.attributes_[id] & (kControl | kUserDefined | kUnknown)) {
      tokenizer.special_candidates_.push_back(static_cast<TokenId>(id));
    }
  }
  // Longest first, as llama.cpp sorts them; its sort leaves ties unordered, ascending ids make them stable.
  std::stable_sort(tokenizer.special_candidates_.begin(), tokenizer.special_candidates_.end(),
                   [&](TokenId a, TokenId b) { return tokenizer.token_text(a).size() > tokenizer.token_text(b).size(); });
  return tokenizer;
}

bool Tokenizer::is_end_of_generation(TokenId id) const {
  return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), id);
}

std::vector<TokenId> Tokenizer::tokenize(std::string_view text, bool add_special, bool parse_special) const {
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 2);
  if (add_special && add_bos_) out.push_back(special_.bos);
  if (!text.empty()) {
    BpeModel::Scratch scratch;
    for (const Fragment& fragment : split_special(text, parse_special)) {
      if (fragment.token != kNoToken) {
        out.push_back(fragment.token);
      } else {
        encode_raw(fragment.text, out, scratch);
      }
    }
  }
  if (add_special && add_eos_) out.push_back(special_.eos);
  return out;
}

// Each special token in turn, longest first, is cut out of the text that earlier ones left raw, by plain
// byte search (tokenizer_st_partition).
std::vector<Tokenizer::Fragment> Tokenizer::split_special(std::string_view text, bool parse_special) const {
  std::vector<Fragment> fragments{{kNoToken, text}};
  std::vector<Fragment> next;
  for (TokenId id : special_candidates_) {
    if (!parse_special && (attributes(id) & (kControl | kUnknown))) continue;
    const std::string_view needle = token_text(id);
    bool found = false;
    next.clear();
    for (const Fragment& fragment : fragments) {
      if (fragment.token != kNoToken) {
        next.push_back(fragment);
        continue;
      }
      std::string_view rest = fragment.text;
      for (size_t match = rest.find(needle); match != std::string_view::npos; match = rest.find(needle)) {
        found = true;
        if (match > 0) next.push_back({kNoToken, rest.substr(0, match)});
        next.push_back({id, needle});
        rest.remove_prefix(match + needle.size());
      }
      if (!rest.empty()) next.push_back({kNoToken, rest});
    }
    if (found) fragments.swap(next);
  }
  return fragments;
}

void Tokenizer::encode_raw(std::string_view text, std::vector<TokenId>& out, BpeModel::Scratch& scratch) const {
  const bool gemma4 = pre_kind_ == PreTokenizerKind::Gemma4;
  const std::string canonical = gemma4 ? utf8::canonicalize(escape_spaces(text)) : utf8::canonicalize(text);
  std::vector<std::string_view> pieces;
  pre_tokenizer_.split(canonical, pieces);

  std::string word;
  for (std::string_view piece : pieces) {
    if (gemma4) {
      // A run of newlines that is a token stays whole (llama.cpp's Gemma 4 rule: "\n\n\n" is one token).
      model_.encode_word(piece, only_newlines(piece), out, scratch);
    } else {
      word.clear();
      byte_level::append_encoded(word, piece);
      // Llama 3's ignore_merges: a word that is already a token is not merged.
      model_.encode_word(word, pre_kind_ == PreTokenizerKind::Llama3, out, scratch);
    }
  }
}

}  // namespace hearth::tokenizer
