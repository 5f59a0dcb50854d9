#include "engine/grammar/grammar.h"

#include <utility>

#include "engine/grammar/special_token.h"

namespace hearth::engine::grammar {

Expr special_token(int32_t token) { return literal(special_token_bytes(token)); }

Expr literal(std::string_view bytes) {
  Expr expr;
  expr.kind = Expr::Kind::Literal;
  expr.literal = std::string(bytes);
  return expr;
}

Expr char_class(std::vector<CodePointRange> ranges, bool negated) {
  Expr expr;
  expr.kind = Expr::Kind::CharClass;
  expr.ranges = std::move(ranges);
  expr.negated = negated;
  return expr;
}

Expr sequence(std::vector<Expr> items) {
  Expr expr;
  expr.kind = Expr::Kind::Sequence;
  expr.items = std::move(items);
  return expr;
}

Expr choice(std::vector<Expr> items) {
  Expr expr;
  expr.kind = Expr::Kind::Choice;
  expr.items = std::move(items);
  return expr;
}

Expr repeat(Expr item, uint32_t min, uint32_t max) {
  Expr expr;
  expr.kind = Expr::Kind::Repeat;
  expr.items.push_back(std::move(item));
  expr.min = min;
  expr.max = max;
  return expr;
}

Expr optional(Expr item) { return repeat(std::move(item), 0, 1); }

Expr rule_ref(RuleId rule) {
  Expr expr;
  expr.kind = Expr::Kind::Rule;
  expr.rule = rule;
  return expr;
}

void ByteSet::add_range(uint8_t first, uint8_t last) {
  for (unsigned byte = first; byte <= last; ++byte) add(static_cast<uint8_t>(byte));
}

RuleId GrammarBuilder::add_rule() {
  rules_.emplace_back();
  defined_.push_back(false);
  return static_cast<RuleId>(rules_.size() - 1);
}

Status GrammarBuilder::define(RuleId rule, const Expr& expr) {
  if (rule >= rules_.size()) return make_error("grammar rule ", rule, " was never declared");
  if (defined_[rule]) return make_error("grammar rule ", rule, " is defined twice");
  std::vector<Sequence> alternatives;
  const bool is_choice = expr.kind == Expr::Kind::Choice && !expr.items.empty();
  const size_t count = is_choice ? expr.items.size() : 1;
  for (size_t i = 0; i < count; ++i) {
    Sequence sequence;
    if (Status lowered = lower(is_choice ? expr.items[i] : expr, sequence); !lowered) return lowered;
    alternatives.push_back(std::move(sequence));
  }
  if (Status counted = count_elements(alternatives.size()); !counted) return counted;
  rules_[rule] = std::move(alternatives);
  defined_[rule] = true;
  return Status::success();
}

Result<Grammar> GrammarBuilder::build(RuleId root) const {
  if (root >= rules_.size()) return make_error("grammar root rule ", root, " was never declared");
  for (size_t rule = 0; rule < rules_.size(); ++rule) {
    if (!defined_[rule]) return make_error("grammar rule ", rule, " is declared but never defined");
  }
  Grammar grammar;
  grammar.root_ = root;
  grammar.byte_sets_ = byte_sets_;
  grammar.rule_alternatives_.resize(rules_.size());
  grammar.elements_.reserve(element_total_);
  for (size_t rule = 0; rule < rules_.size(); ++rule) {
    for (const Sequence& alternative : rules_[rule]) {
      grammar.rule_alternatives_[rule].push_back(static_cast<uint32_t>(grammar.elements_.size()));
      grammar.elements_.insert(grammar.elements_.end(), alternative.begin(), alternative.end());
      grammar.elements_.push_back({Element::Kind::End, 0});
    }
  }
  return grammar;
}

Status GrammarBuilder::count_elements(size_t added) {
  element_total_ += added;
  if (element_total_ > kMaxElements) {
    return make_error("grammar too large: more than ", kMaxElements, " elements after expansion");
  }
  return Status::success();
}

uint32_t GrammarBuilder::byte_set_index(const ByteSet& set) {
  auto [it, inserted] = byte_set_indices_.try_emplace(set, static_cast<uint32_t>(byte_sets_.size()));
  if (inserted) byte_sets_.push_back(set);
  return it->second;
}

RuleId GrammarBuilder::add_helper_rule(std::vector<Sequence> alternatives) {
  const RuleId rule = add_rule();
  rules_[rule] = std::move(alternatives);
  defined_[rule] = true;
  return rule;
}

Status GrammarBuilder::lower(const Expr& expr, Sequence& out) {
  switch (expr.kind) {
    case Expr::Kind::Literal:
      for (char c : expr.literal) {
        ByteSet set;
        set.add(static_cast<uint8_t>(c));
        out.push_back({Element::Kind::Bytes, byte_set_index(set)});
      }
      return count_elements(expr.literal.size());
    case Expr::Kind::CharClass:
      return lower_char_class(expr, out);
    case Expr::Kind::Sequence:
      for (const Expr& item : expr.items) {
        if (Status lowered = lower(item, out); !lowered) return lowered;
      }
      return Status::success();
    case Expr::Kind::Choice: {
      if (expr.items.size() == 1) return lower(expr.items[0], out);
      if (expr.items.empty()) return make_error("grammar choice without alternatives");
      std::vector<Sequence> alternatives;
      for (const Expr& item : expr.items) {
        Sequence sequence;
        if (Status lowered = lower(item, sequence); !lowered) return lowered;
        alternatives.push_back(std::move(sequence));
      }
      const size_t ends = alternatives.size();
      out.push_back({Element::Kind::Rule, add_helper_rule(std::move(alternatives))});
      return count_elements(1 + ends);
    }
    case Expr::Kind::Repeat:
      return lower_repeat(expr, out);
    case Expr::Kind::Rule:
      if (expr.rule >= rules_.size()) return make_error("grammar rule ", expr.rule, " was never declared");
      out.push_back({Element::Kind::Rule, expr.rule});
      return count_elements(1);
  }
  return make_error("unknown grammar expression");
}

Result<Element> GrammarBuilder::lower_single(const Expr& expr) {
  Sequence sequence;
  if (Status lowered = lower(expr, sequence); !lowered) return Error{lowered.error()};
  if (sequence.size() == 1) return sequence[0];
  std::vector<Sequence> alternatives;
  alternatives.push_back(std::move(sequence));
  if (Status counted = count_elements(2); !counted) return Error{counted.error()};
  return Element{Element::Kind::Rule, add_helper_rule(std::move(alternatives))};
}

Status GrammarBuilder::lower_char_class(const Expr& expr, Sequence& out) {
  const std::vector<CodePointRange> ranges = normalize_ranges(expr.ranges, expr.negated);
  if (ranges.empty()) return make_error("grammar character class matches no character");
  std::vector<std::pair<char32_t, char32_t>> key;
  for (const CodePointRange& range : ranges) key.emplace_back(range.first, range.last);
  if (auto known = char_class_rules_.find(key); known != char_class_rules_.end()) {
    out.push_back({Element::Kind::Rule, known->second});
    return count_elements(1);
  }
  ByteSet single_bytes;
  bool has_single_bytes = false;
  std::vector<Sequence> alternatives;
  for (const Utf8Sequence& sequence : utf8_sequences(ranges)) {
    if (sequence.length == 1) {
      single_bytes.add_range(sequence.ranges[0].first, sequence.ranges[0].last);
      has_single_bytes = true;
      continue;
    }
    Sequence bytes;
    for (size_t i = 0; i < sequence.length; ++i) {
      ByteSet set;
      set.add_range(sequence.ranges[i].first, sequence.ranges[i].last);
      bytes.push_back({Element::Kind::Bytes, byte_set_index(set)});
    }
    if (Status counted = count_elements(bytes.size() + 1); !counted) return counted;
    alternatives.push_back(std::move(bytes));
  }
  if (alternatives.empty()) {
    out.push_back({Element::Kind::Bytes, byte_set_index(single_bytes)});
    return count_elements(1);
  }
  if (has_single_bytes) alternatives.insert(alternatives.begin(), Sequence{{Element::Kind::Bytes, byte_set_index(single_bytes)}});
  const RuleId rule = add_helper_rule(std::move(alternatives));
  char_class_rules_.emplace(std::move(key), rule);
  out.push_back({Element::Kind::Rule, rule});
  return count_elements(2);
}

Status GrammarBuilder::lower_repeat(const Expr& expr, Sequence& out) {
  if (expr.items.size() != 1) return make_error("grammar repetition needs exactly one item");
  if (expr.min > expr.max) return make_error("grammar repetition with min ", expr.min, " > max ", expr.max);
  if (expr.min > kMaxRepetition || (expr.max != kUnbounded && expr.max > kMaxRepetition)) {
    return make_error("grammar repetition count above the limit of ", kMaxRepetition);
  }
  if (expr.max == 0) return Status::success();
  Result<Element> item = lower_single(expr.items[0]);
  if (!item) return Error{item.error()};
  if (Status counted = count_elements(expr.min); !counted) return counted;
  out.insert(out.end(), expr.min, *item);
  if (expr.max == kUnbounded) {
    // tail ::= item tail | (nothing): right recursion, which the recognizer runs in constant stack depth.
    const RuleId tail = add_rule();
    rules_[tail] = {Sequence{*item, {Element::Kind::Rule, tail}}, Sequence{}};
    defined_[tail] = true;
    out.push_back({Element::Kind::Rule, tail});
    return count_elements(4);
  }
  // up_to_k ::= item up_to_(k-1) | (nothing), a chain of nested optionals.
  RuleId previous = 0;
  for (uint32_t k = 1; k <= expr.max - expr.min; ++k) {
    Sequence first{*item};
    if (k > 1) first.push_back({Element::Kind::Rule, previous});
    previous = add_helper_rule({std::move(first), Sequence{}});
    if (Status counted = count_elements(4); !counted) return counted;
  }
  if (expr.max > expr.min) out.push_back({Element::Kind::Rule, previous});
  return Status::success();
}

}  // namespace hearth::engine::grammar
