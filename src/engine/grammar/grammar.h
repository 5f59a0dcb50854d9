#pragma once
// A context-free grammar over bytes, in the spirit of llama.cpp's GBNF: rules are alternatives of sequences,
// and every terminal is a set of bytes. Grammars are written as Expr trees over code points (literals,
// character classes, sequences, choices, bounded or unbounded repetition, rule references) and lowered by
// GrammarBuilder: character classes become UTF-8 byte-range sequences and repetitions become helper rules.
// A built Grammar is immutable; Recognizer (recognizer.h) runs it.
//
// Left recursion (a ::= a "x") is not supported: the recognizer would push without end, so it stops at its
// expansion bound and reports an error. Rules that match nothing and refer to themselves are harmless.
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/grammar/utf8_ranges.h"

namespace hearth::engine::grammar {

using RuleId = uint32_t;
inline constexpr uint32_t kUnbounded = UINT32_MAX;
// Largest repetition count written out (minLength 5000 is fine, 10^9 is an error, not a memory blow-up).
inline constexpr uint32_t kMaxRepetition = 10000;

struct Expr {
  enum class Kind : uint8_t { Literal, CharClass, Sequence, Choice, Repeat, Rule };
  Kind kind = Kind::Sequence;
  std::string literal;                  // Literal: raw bytes
  std::vector<CodePointRange> ranges;  // CharClass
  bool negated = false;                 // CharClass
  std::vector<Expr> items;              // Sequence, Choice; Repeat has exactly one
  uint32_t min = 0;                     // Repeat
  uint32_t max = 0;                     // Repeat, kUnbounded for no limit
  RuleId rule = 0;                      // Rule
};

Expr literal(std::string_view bytes);
Expr char_class(std::vector<CodePointRange> ranges, bool negated = false);
Expr sequence(std::vector<Expr> items);
Expr choice(std::vector<Expr> items);
Expr repeat(Expr item, uint32_t min, uint32_t max);
Expr optional(Expr item);
Expr rule_ref(RuleId rule);
// A special token by id (special_token.h): matches that token only.
Expr special_token(int32_t token);

// 256 bits: which bytes a terminal accepts.
struct ByteSet {
  std::array<uint64_t, 4> bits{};
  bool contains(uint8_t byte) const { return (bits[byte >> 6] >> (byte & 63)) & 1; }
  void add(uint8_t byte) { bits[byte >> 6] |= uint64_t{1} << (byte & 63); }
  void add_range(uint8_t first, uint8_t last);
  bool operator<(const ByteSet& other) const { return bits < other.bits; }
};

// One element of a rule alternative in the flattened grammar. Every alternative ends with an End element.
struct Element {
  enum class Kind : uint8_t { Bytes, Rule, End };
  Kind kind;
  uint32_t value;  // Bytes: byte set index; Rule: rule id
};

class Grammar {
 public:
  RuleId root() const { return root_; }
  size_t rule_count() const { return rule_alternatives_.size(); }
  const Element& element(uint32_t position) const { return elements_[position]; }
  size_t element_count() const { return elements_.size(); }
  // Positions where each alternative of `rule` starts.
  std::span<const uint32_t> alternatives(RuleId rule) const { return rule_alternatives_[rule]; }
  const ByteSet& byte_set(uint32_t index) const { return byte_sets_[index]; }

 private:
  friend class GrammarBuilder;
  RuleId root_ = 0;
  std::vector<Element> elements_;
  std::vector<std::vector<uint32_t>> rule_alternatives_;
  std::vector<ByteSet> byte_sets_;
};

class GrammarBuilder {
 public:
  // Most elements a grammar may have after lowering; building more is an error.
  static constexpr size_t kMaxElements = size_t{1} << 21;

  // A new rule with no alternatives yet; define it (once) before build().
  RuleId add_rule();
  Status define(RuleId rule, const Expr& expr);
  // Fails when a rule was declared but never defined, or `root` is unknown.
  Result<Grammar> build(RuleId root) const;

 private:
  using Sequence = std::vector<Element>;

  Status lower(const Expr& expr, Sequence& out);
  Result<Element> lower_single(const Expr& expr);
  Status lower_char_class(const Expr& expr, Sequence& out);
  Status lower_repeat(const Expr& expr, Sequence& out);
  RuleId add_helper_rule(std::vector<Sequence> alternatives);
  uint32_t byte_set_index(const ByteSet& set);
  Status count_elements(size_t added);

  std::vector<std::vector<Sequence>> rules_;
  std::vector<bool> defined_;
  std::vector<ByteSet> byte_sets_;
  std::map<ByteSet, uint32_t> byte_set_indices_;
  std::map<std::vector<std::pair<char32_t, char32_t>>, RuleId> char_class_rules_;
  size_t element_total_ = 0;
};

}  // namespace hearth::engine::grammar
