#include "chat/gemma4_tool_grammar.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "chat/gemma4_markers.h"

namespace hearth::chat::gemma4 {
namespace {

using engine::grammar::Expr;
using engine::grammar::GrammarBuilder;
using engine::grammar::RuleId;
namespace g = engine::grammar;

struct Markers {
  int32_t call_open = -1;
  int32_t call_close = -1;
  int32_t quote = -1;
};

Result<int32_t> marker_token(const tokenizer::Tokenizer& tokenizer, std::string_view text) {
  const int32_t id = tokenizer.find_token(text);
  if (id < 0) return make_error("the vocabulary has no ", text, " token, so tool calls cannot be forced");
  return id;
}

Expr digits(uint32_t max) { return g::repeat(g::char_class({{U'0', U'9'}}), 1, max); }

// A list of `item` separated by commas: empty, or item ("," item)*.
Expr comma_list(Expr item) {
  return g::optional(g::sequence({item, g::repeat(g::sequence({g::literal(","), item}), 0, g::kUnbounded)}));
}

class ToolCallGrammar {
 public:
  explicit ToolCallGrammar(const Markers& markers) : markers_(markers) {}

  Result<g::Grammar> build(const std::vector<const nlohmann::json*>& functions) {
    value_ = builder_.add_rule();
    const RuleId bare_key = builder_.add_rule();
    if (Status s = builder_.define(bare_key, g::sequence({g::char_class({{U'A', U'Z'}, {U'a', U'z'}, {U'_', U'_'}}),
                                                           g::repeat(g::char_class({{U'A', U'Z'}, {U'a', U'z'}, {U'0', U'9'}, {U'_', U'_'}}), 0, 64)}));
        !s) {
      return Error{s.error()};
    }
    const Expr generic_dict = dict(g::sequence({g::rule_ref(bare_key), g::literal(":"), g::rule_ref(value_)}));
    string_ = g::sequence({g::special_token(markers_.quote), g::repeat(g::char_class({{0, g::kMaxCodePoint}}), 0, g::kUnbounded),
                           g::special_token(markers_.quote)});
    integer_ = g::sequence({g::optional(g::literal("-")), digits(16)});
    number_ = g::sequence({integer_, g::optional(g::sequence({g::literal("."), digits(16)})),
                           g::optional(g::sequence({g::char_class({{U'e', U'e'}, {U'E', U'E'}}),
                                                    g::optional(g::char_class({{U'+', U'+'}, {U'-', U'-'}})), digits(3)}))});
    boolean_ = g::choice({g::literal("true"), g::literal("false")});
    const Expr array = g::sequence({g::literal("["), comma_list(g::rule_ref(value_)), g::literal("]")});
    if (Status s = builder_.define(value_, g::choice({string_, generic_dict, array, number_, boolean_, g::literal("null")})); !s) {
      return Error{s.error()};
    }

    std::vector<Expr> calls;
    for (const nlohmann::json* function : functions) {
      const std::string name = (*function)["name"].get<std::string>();
      Result<std::optional<Expr>> declared = declared_arguments(*function);
      if (!declared) return Error{declared.error()};
      const Expr arguments = *declared ? **declared : generic_dict;
      calls.push_back(g::sequence({g::special_token(markers_.call_open), g::literal("call:" + name), arguments,
                                   g::special_token(markers_.call_close)}));
    }
    const RuleId root = builder_.add_rule();
    if (Status s = builder_.define(root, g::repeat(g::choice(std::move(calls)), 1, kMaxForcedToolCalls)); !s) return Error{s.error()};
    return builder_.build(root);
  }

 private:
  static Expr dict(const Expr& entry) { return g::sequence({g::literal("{"), comma_list(entry), g::literal("}")}); }

  // The declared parameters in name order, as Gemma writes arguments (dictsort), each at most once and
  // the required ones always: "{" entries "}"; "{}" for a function without parameters; nullopt when the
  // parameters are not described by properties (any arguments then).
  Result<std::optional<Expr>> declared_arguments(const nlohmann::json& function) {
    const nlohmann::json parameters = function.value("parameters", nlohmann::json());
    if (parameters.is_null()) return std::optional<Expr>{g::literal("{}")};  // a function without parameters
    if (!parameters.is_object() || !parameters.contains("properties") || !parameters["properties"].is_object()) {
      return std::optional<Expr>{};
    }
    std::vector<std::pair<Expr, bool>> entries;  // entry, required
    const nlohmann::json required = parameters.value("required", nlohmann::json::array());
    for (const auto& [key, schema] : parameters["properties"].items()) {  // nlohmann::json keeps keys sorted
      const bool is_required = required.is_array() && std::find(required.begin(), required.end(), key) != required.end();
      entries.emplace_back(g::sequence({g::literal(key), g::literal(":"), typed_value(schema)}), is_required);
    }
    // rest[i][first]: the entries from i on, `first` when none has been written yet (no comma before).
    std::vector<std::array<RuleId, 2>> rest(entries.size() + 1);
    for (auto& rules : rest) rules = {builder_.add_rule(), builder_.add_rule()};
    for (size_t first = 0; first < 2; ++first) {
      if (Status s = builder_.define(rest[entries.size()][first], g::sequence({})); !s) return Error{s.error()};
    }
    for (size_t i = entries.size(); i-- > 0;) {
      for (size_t first = 0; first < 2; ++first) {
        const Expr written = g::sequence({first ? g::sequence({}) : g::literal(","), entries[i].first, g::rule_ref(rest[i + 1][0])});
        const Expr body = entries[i].second ? written : g::choice({written, g::rule_ref(rest[i + 1][first])});
        if (Status s = builder_.define(rest[i][first], body); !s) return Error{s.error()};
      }
    }
    return std::optional<Expr>{g::sequence({g::literal("{"), g::rule_ref(rest[0][1]), g::literal("}")})};
  }

  Expr typed_value(const nlohmann::json& schema) const {
    const std::string type = schema.is_object() && schema.contains("type") && schema["type"].is_string() ? schema["type"].get<std::string>() : "";
    if (type == "string") return string_;
    if (type == "integer") return integer_;
    if (type == "number") return number_;
    if (type == "boolean") return boolean_;
    return g::rule_ref(value_);
  }

  Markers markers_;
  GrammarBuilder builder_;
  RuleId value_ = 0;
  Expr string_, integer_, number_, boolean_;
};

}  // namespace

Result<g::Grammar> tool_call_grammar(const tokenizer::Tokenizer& tokenizer, const std::vector<nlohmann::json>& tools,
                                     std::string_view only_function) {
  Markers markers;
  for (auto [target, text] : {std::pair{&markers.call_open, kToolCallOpen}, std::pair{&markers.call_close, kToolCallClose},
                              std::pair{&markers.quote, kQuote}}) {
    Result<int32_t> id = marker_token(tokenizer, text);
    if (!id) return Error{id.error()};
    *target = *id;
  }
  std::vector<const nlohmann::json*> functions;
  for (const nlohmann::json& tool : tools) {
    const nlohmann::json& function = tool.at("function");
    if (only_function.empty() || function.at("name").get<std::string>() == only_function) functions.push_back(&function);
  }
  if (functions.empty()) {
    if (only_function.empty()) return make_error("tool_choice requires tools");
    return make_error("tool_choice names function '", only_function, "', which is not among the tools");
  }
  return ToolCallGrammar(markers).build(functions);
}

}  // namespace hearth::chat::gemma4
