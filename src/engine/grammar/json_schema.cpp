#include "engine/grammar/json_schema.h"

#include <array>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hearth::engine::grammar {
namespace {

using json = nlohmann::ordered_json;

// Whitespace between JSON tokens: nothing, one space, or a newline and a short indent.
constexpr uint32_t kMaxIndent = 20;
constexpr uint32_t kMaxIntegerDigits = 16;
constexpr uint32_t kMaxFractionDigits = 16;
constexpr uint32_t kMaxExponentDigits = 3;

// Validation keywords that constrain values in ways this compiler cannot enforce.
constexpr std::array<std::string_view, 22> kUnsupportedKeywords = {
    "pattern",          "not",           "if",
    "then",             "else",          "prefixItems",
    "additionalItems",  "contains",      "minContains",
    "maxContains",      "uniqueItems",   "patternProperties",
    "propertyNames",    "minProperties", "maxProperties",
    "dependentRequired", "dependentSchemas", "dependencies",
    "unevaluatedItems", "unevaluatedProperties", "$dynamicRef",
    "$recursiveRef"};

Expr empty() { return sequence({}); }

Expr digits(uint32_t min, uint32_t max) { return repeat(char_class({{'0', '9'}}), min, max); }

Expr hex_digits(uint32_t count) {
  return repeat(char_class({{'0', '9'}, {'a', 'f'}, {'A', 'F'}}), count, count);
}

Expr two_digits_up_to(char first_max, char second_max_for_top) {
  // "00".."first_max second_max_for_top" for hours and months/days-like fields.
  return choice({sequence({char_class({{'0', static_cast<char32_t>(first_max - 1)}}), char_class({{'0', '9'}})}),
                 sequence({literal(std::string(1, first_max)), char_class({{'0', static_cast<char32_t>(second_max_for_top)}})})});
}

Expr date_expr() {
  const Expr month = choice({sequence({literal("0"), char_class({{'1', '9'}})}), sequence({literal("1"), char_class({{'0', '2'}})})});
  const Expr day = choice({sequence({literal("0"), char_class({{'1', '9'}})}),
                           sequence({char_class({{'1', '2'}}), char_class({{'0', '9'}})}),
                           sequence({literal("3"), char_class({{'0', '1'}})})});
  return sequence({digits(4, 4), literal("-"), month, literal("-"), day});
}

Expr time_expr() {
  const Expr hour = two_digits_up_to('2', '3');
  const Expr minute = sequence({char_class({{'0', '5'}}), char_class({{'0', '9'}})});
  const Expr offset = choice({literal("Z"), sequence({char_class({{'+', '+'}, {'-', '-'}}), hour, literal(":"), minute})});
  const Expr second = choice({minute, literal("60")});  // RFC 3339 allows a leap second
  return sequence({hour, literal(":"), minute, literal(":"), second, optional(sequence({literal("."), digits(1, 9)})), offset});
}

Expr uuid_expr() {
  return sequence({hex_digits(8), literal("-"), hex_digits(4), literal("-"), hex_digits(4), literal("-"), hex_digits(4),
                   literal("-"), hex_digits(12)});
}

class SchemaCompiler {
 public:
  explicit SchemaCompiler(const json& root) : root_(root) { declare_json_rules(); }

  Result<Grammar> compile_root() {
    Result<Expr> value = compile(root_, 0);
    if (!value) return Error{value.error()};
    return finish(std::move(*value));
  }

  Result<Grammar> compile_json_mode() { return finish(rule_ref(any_object_)); }

 private:
  Result<Grammar> finish(Expr value) {
    const RuleId root = builder_.add_rule();
    if (Status defined = builder_.define(root, sequence({rule_ref(ws_), std::move(value), rule_ref(ws_)})); !defined) {
      return Error{defined.error()};
    }
    return builder_.build(root);
  }

  Expr ws() const { return rule_ref(ws_); }

  void declare_json_rules() {
    ws_ = builder_.add_rule();
    string_char_ = builder_.add_rule();
    string_ = builder_.add_rule();
    integer_ = builder_.add_rule();
    number_ = builder_.add_rule();
    value_ = builder_.add_rule();
    any_object_ = builder_.add_rule();
    any_array_ = builder_.add_rule();
    // These definitions are fixed and small; they cannot fail.
    (void)builder_.define(ws_, choice({empty(), literal(" "),
                                       sequence({literal("\n"), repeat(char_class({{' ', ' '}, {'\t', '\t'}}), 0, kMaxIndent)})}));
    const Expr escape = sequence({literal("\\"), choice({char_class({{'"', '"'}, {'\\', '\\'}, {'/', '/'}, {'b', 'b'}, {'f', 'f'},
                                                                   {'n', 'n'}, {'r', 'r'}, {'t', 't'}}),
                                                        sequence({literal("u"), hex_digits(4)})})});
    (void)builder_.define(string_char_, choice({char_class({{0, 0x1F}, {'"', '"'}, {'\\', '\\'}}, /*negated=*/true), escape}));
    (void)builder_.define(string_, sequence({literal("\""), repeat(rule_ref(string_char_), 0, kUnbounded), literal("\"")}));
    (void)builder_.define(integer_, sequence({optional(literal("-")),
                                              choice({literal("0"), sequence({char_class({{'1', '9'}}), digits(0, kMaxIntegerDigits - 1)})})}));
    (void)builder_.define(number_, sequence({rule_ref(integer_), optional(sequence({literal("."), digits(1, kMaxFractionDigits)})),
                                             optional(sequence({char_class({{'e', 'e'}, {'E', 'E'}}),
                                                                optional(char_class({{'+', '+'}, {'-', '-'}})),
                                                                digits(1, kMaxExponentDigits)}))}));
    (void)builder_.define(value_, choice({rule_ref(any_object_), rule_ref(any_array_), rule_ref(string_), rule_ref(number_),
                                          literal("true"), literal("false"), literal("null")}));
    const Expr member = sequence({rule_ref(string_), ws(), literal(":"), ws(), rule_ref(value_), ws()});
    (void)builder_.define(any_object_, sequence({literal("{"), ws(),
                                                 optional(sequence({member, repeat(sequence({literal(","), ws(), member}), 0, kUnbounded)})),
                                                 literal("}")}));
    const Expr element = sequence({rule_ref(value_), ws()});
    (void)builder_.define(any_array_, sequence({literal("["), ws(),
                                                optional(sequence({element, repeat(sequence({literal(","), ws(), element}), 0, kUnbounded)})),
                                                literal("]")}));
  }

  Result<Expr> compile(const json& schema, int depth) {
    if (depth > kMaxSchemaDepth) return make_error("JSON schema nested deeper than ", kMaxSchemaDepth, " levels");
    if (schema.is_boolean()) {
      if (schema.get<bool>()) return rule_ref(value_);
      return make_error("JSON schema 'false' matches no value");
    }
    if (!schema.is_object()) return make_error("JSON schema must be an object or a boolean, not ", schema.type_name());
    for (const auto& [key, unused] : schema.items()) {
      for (std::string_view unsupported : kUnsupportedKeywords) {
        if (key == unsupported) return make_error("unsupported JSON schema keyword '", key, "'");
      }
    }
    Result<Expr> value = compile_value(schema, depth);
    if (!value) return value;
    if (const auto nullable = schema.find("nullable"); nullable != schema.end() && nullable->is_boolean() && nullable->get<bool>()) {
      return choice({std::move(*value), literal("null")});
    }
    return value;
  }

  Result<Expr> compile_value(const json& schema, int depth) {
    if (const auto ref = schema.find("$ref"); ref != schema.end()) {
      if (!ref->is_string()) return make_error("JSON schema '$ref' must be a string");
      return compile_ref(ref->get<std::string>(), depth);
    }
    if (const auto constant = schema.find("const"); constant != schema.end()) return literal(constant->dump());
    if (const auto values = schema.find("enum"); values != schema.end()) {
      if (!values->is_array() || values->empty()) return make_error("JSON schema 'enum' must be a non-empty array");
      std::vector<Expr> alternatives;
      for (const json& value : *values) alternatives.push_back(literal(value.dump()));
      return choice(std::move(alternatives));
    }
    for (const char* keyword : {"anyOf", "oneOf", "allOf"}) {
      const auto subschemas = schema.find(keyword);
      if (subschemas == schema.end()) continue;
      if (!subschemas->is_array() || subschemas->empty()) {
        return make_error("JSON schema '", keyword, "' must be a non-empty array");
      }
      if (std::string_view(keyword) == "allOf" && subschemas->size() != 1) {
        return make_error("unsupported JSON schema keyword 'allOf' with more than one schema");
      }
      std::vector<Expr> alternatives;
      for (const json& subschema : *subschemas) {
        Result<Expr> alternative = compile(subschema, depth + 1);
        if (!alternative) return alternative;
        alternatives.push_back(std::move(*alternative));
      }
      return choice(std::move(alternatives));
    }
    const auto type = schema.find("type");
    if (type == schema.end()) return compile_type(schema, inferred_type(schema), depth);
    if (type->is_string()) return compile_type(schema, type->get<std::string>(), depth);
    if (!type->is_array() || type->empty()) return make_error("JSON schema 'type' must be a string or a non-empty array");
    std::vector<Expr> alternatives;
    for (const json& name : *type) {
      if (!name.is_string()) return make_error("JSON schema 'type' array must hold strings");
      Result<Expr> alternative = compile_type(schema, name.get<std::string>(), depth);
      if (!alternative) return alternative;
      alternatives.push_back(std::move(*alternative));
    }
    return choice(std::move(alternatives));
  }

  static std::string inferred_type(const json& schema) {
    for (const char* key : {"properties", "required", "additionalProperties"}) {
      if (schema.contains(key)) return "object";
    }
    for (const char* key : {"items", "minItems", "maxItems"}) {
      if (schema.contains(key)) return "array";
    }
    for (const char* key : {"minLength", "maxLength", "format"}) {
      if (schema.contains(key)) return "string";
    }
    return "any";
  }

  Result<Expr> compile_type(const json& schema, const std::string& type, int depth) {
    if (type == "any") return rule_ref(value_);
    if (type == "string") return compile_string(schema);
    if (type == "number") return rule_ref(number_);
    if (type == "integer") return rule_ref(integer_);
    if (type == "boolean") return choice({literal("true"), literal("false")});
    if (type == "null") return literal("null");
    if (type == "array") return compile_array(schema, depth);
    if (type == "object") return compile_object(schema, depth);
    return make_error("unknown JSON schema type '", type, "'");
  }

  // A count keyword (minLength, maxItems, ...): absent -> fallback.
  static Result<uint32_t> read_count(const json& schema, const char* key, uint32_t fallback) {
    const auto value = schema.find(key);
    if (value == schema.end()) return fallback;
    // std::trunc, not a cast: a float like 4e42 has no int64 value, and converting it would be undefined.
    const bool integral = value->is_number_integer() ||
                          (value->is_number_float() && std::isfinite(value->get<double>()) && std::trunc(value->get<double>()) == value->get<double>());
    if (!integral) return make_error("JSON schema '", key, "' must be a non-negative integer");
    const double count = value->get<double>();
    if (count < 0) return make_error("JSON schema '", key, "' must be a non-negative integer");
    if (count > kMaxRepetition) return make_error("JSON schema '", key, "' above the supported limit of ", kMaxRepetition);
    return static_cast<uint32_t>(count);
  }

  static Result<std::pair<uint32_t, uint32_t>> read_bounds(const json& schema, const char* min_key, const char* max_key) {
    Result<uint32_t> min = read_count(schema, min_key, 0);
    if (!min) return Error{min.error()};
    Result<uint32_t> max = read_count(schema, max_key, kUnbounded);
    if (!max) return Error{max.error()};
    if (*min > *max) return make_error("JSON schema '", min_key, "' is greater than '", max_key, "'");
    return std::pair{*min, *max};
  }

  Result<Expr> compile_string(const json& schema) {
    if (const auto format = schema.find("format"); format != schema.end() && format->is_string()) {
      const std::string& name = format->get_ref<const std::string&>();
      if (name == "date") return sequence({literal("\""), date_expr(), literal("\"")});
      if (name == "time") return sequence({literal("\""), time_expr(), literal("\"")});
      if (name == "date-time") return sequence({literal("\""), date_expr(), literal("T"), time_expr(), literal("\"")});
      if (name == "uuid") return sequence({literal("\""), uuid_expr(), literal("\"")});
    }
    Result<std::pair<uint32_t, uint32_t>> bounds = read_bounds(schema, "minLength", "maxLength");
    if (!bounds) return Error{bounds.error()};
    if (bounds->first == 0 && bounds->second == kUnbounded) return rule_ref(string_);
    return sequence({literal("\""), repeat(rule_ref(string_char_), bounds->first, bounds->second), literal("\"")});
  }

  Result<Expr> compile_array(const json& schema, int depth) {
    Expr item = rule_ref(value_);
    if (const auto items = schema.find("items"); items != schema.end()) {
      if (items->is_array()) return make_error("unsupported JSON schema keyword 'items' as an array (tuple form)");
      Result<Expr> compiled = compile(*items, depth + 1);
      if (!compiled) return compiled;
      item = std::move(*compiled);
    }
    Result<std::pair<uint32_t, uint32_t>> bounds = read_bounds(schema, "minItems", "maxItems");
    if (!bounds) return Error{bounds.error()};
    const auto [min, max] = *bounds;
    if (max == 0) return sequence({literal("["), ws(), literal("]")});
    const RuleId item_rule = builder_.add_rule();
    if (Status defined = builder_.define(item_rule, sequence({std::move(item), ws()})); !defined) return Error{defined.error()};
    const Expr more = repeat(sequence({literal(","), ws(), rule_ref(item_rule)}), min > 0 ? min - 1 : 0,
                             max == kUnbounded ? kUnbounded : max - 1);
    Expr body = sequence({rule_ref(item_rule), more});
    if (min == 0) body = optional(std::move(body));
    return sequence({literal("["), ws(), std::move(body), literal("]")});
  }

  struct Property {
    std::string name;
    Expr value;
    bool required;
  };

  Result<Expr> compile_object(const json& schema, int depth) {
    std::vector<Property> properties;
    const auto declared = schema.find("properties");
    if (declared != schema.end()) {
      if (!declared->is_object()) return make_error("JSON schema 'properties' must be an object");
      for (const auto& [name, subschema] : declared->items()) {
        Result<Expr> value = compile(subschema, depth + 1);
        if (!value) return value;
        properties.push_back({name, std::move(*value), false});
      }
    }
    if (const auto required = schema.find("required"); required != schema.end()) {
      if (!required->is_array()) return make_error("JSON schema 'required' must be an array of names");
      for (const json& name : *required) {
        if (!name.is_string()) return make_error("JSON schema 'required' must be an array of names");
        bool found = false;
        for (Property& property : properties) {
          if (property.name == name.get_ref<const std::string&>()) property.required = found = true;
        }
        if (!found) return make_error("JSON schema requires property '", name.get<std::string>(), "' that is not in 'properties'");
      }
    }
    std::optional<Expr> additional;
    const auto additional_schema = schema.find("additionalProperties");
    if (additional_schema == schema.end()) {
      if (declared == schema.end()) additional = rule_ref(value_);
    } else if (!(additional_schema->is_boolean() && !additional_schema->get<bool>())) {
      Result<Expr> value = compile(*additional_schema, depth + 1);
      if (!value) return value;
      additional = std::move(*value);
    }
    return object_expr(std::move(properties), std::move(additional));
  }

  // Properties in order, each present or (when optional) absent, then any additional ones. first[i]: the
  // members from property i on when none was written yet (no leading comma); rest[i]: the same after one.
  Result<Expr> object_expr(std::vector<Property> properties, std::optional<Expr> additional) {
    const size_t count = properties.size();
    std::vector<RuleId> first(count + 1);
    std::vector<RuleId> rest(count + 1);
    for (size_t i = 0; i <= count; ++i) {
      first[i] = builder_.add_rule();
      rest[i] = builder_.add_rule();
    }
    auto member = [&](std::string name_json, Expr value) {
      return sequence({literal(name_json), ws(), literal(":"), ws(), std::move(value), ws()});
    };
    for (size_t i = 0; i < count; ++i) {
      const RuleId value_rule = builder_.add_rule();
      if (Status defined = builder_.define(value_rule, properties[i].value); !defined) return Error{defined.error()};
      const Expr kv = member(json(properties[i].name).dump(), rule_ref(value_rule));
      std::vector<Expr> first_alternatives{sequence({kv, rule_ref(rest[i + 1])})};
      std::vector<Expr> rest_alternatives{sequence({literal(","), ws(), kv, rule_ref(rest[i + 1])})};
      if (!properties[i].required) {
        first_alternatives.push_back(rule_ref(first[i + 1]));
        rest_alternatives.push_back(rule_ref(rest[i + 1]));
      }
      if (Status defined = builder_.define(first[i], choice(std::move(first_alternatives))); !defined) return Error{defined.error()};
      if (Status defined = builder_.define(rest[i], choice(std::move(rest_alternatives))); !defined) return Error{defined.error()};
    }
    Expr first_tail = empty();
    Expr rest_tail = empty();
    if (additional) {
      const RuleId value_rule = builder_.add_rule();
      if (Status defined = builder_.define(value_rule, *additional); !defined) return Error{defined.error()};
      const Expr kv = sequence({rule_ref(string_), ws(), literal(":"), ws(), rule_ref(value_rule), ws()});
      first_tail = choice({sequence({kv, rule_ref(rest[count])}), empty()});
      rest_tail = choice({sequence({literal(","), ws(), kv, rule_ref(rest[count])}), empty()});
    }
    if (Status defined = builder_.define(first[count], first_tail); !defined) return Error{defined.error()};
    if (Status defined = builder_.define(rest[count], rest_tail); !defined) return Error{defined.error()};
    return sequence({literal("{"), ws(), rule_ref(first[0]), literal("}")});
  }

  Result<Expr> compile_ref(const std::string& ref, int depth) {
    if (const auto known = refs_.find(ref); known != refs_.end()) return rule_ref(known->second);
    if (ref != "#" && ref.rfind("#/$defs/", 0) != 0 && ref.rfind("#/definitions/", 0) != 0) {
      return make_error("unsupported JSON schema '$ref' \"", ref, "\" (only #, #/$defs/... and #/definitions/...)");
    }
    const json* target = nullptr;
    try {
      const json::json_pointer pointer(ref.substr(1));
      if (root_.contains(pointer)) target = &root_.at(pointer);
    } catch (const json::exception&) {
      return make_error("JSON schema '$ref' \"", ref, "\" is not a valid JSON pointer");
    }
    if (target == nullptr) return make_error("JSON schema '$ref' \"", ref, "\" points to nothing");
    const RuleId rule = builder_.add_rule();
    refs_.emplace(ref, rule);
    Result<Expr> value = compile(*target, depth + 1);
    if (!value) return value;
    if (Status defined = builder_.define(rule, *value); !defined) return Error{defined.error()};
    return rule_ref(rule);
  }

  const json& root_;
  GrammarBuilder builder_;
  std::map<std::string, RuleId> refs_;
  RuleId ws_ = 0, string_char_ = 0, string_ = 0, integer_ = 0, number_ = 0, value_ = 0, any_object_ = 0, any_array_ = 0;
};

}  // namespace

Grammar json_object_grammar() {
  const json no_schema;
  Result<Grammar> grammar = SchemaCompiler(no_schema).compile_json_mode();
  return std::move(*grammar);  // fixed rules: cannot fail
}

Result<Grammar> grammar_from_json_schema(const nlohmann::ordered_json& schema) {
  return SchemaCompiler(schema).compile_root();
}

Result<Grammar> grammar_from_json_schema_text(std::string_view schema_text) {
  json schema = json::parse(schema_text, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return make_error("JSON schema is not valid JSON");
  return grammar_from_json_schema(schema);
}

Result<std::optional<Grammar>> grammar_from_ollama_format(const nlohmann::ordered_json& format) {
  if (format.is_null() || (format.is_string() && format.get_ref<const std::string&>().empty())) {
    return std::optional<Grammar>{};
  }
  if (format.is_string()) {
    if (format.get_ref<const std::string&>() == "json") return std::optional<Grammar>{json_object_grammar()};
    return make_error("invalid format: expected \"json\" or a JSON schema object");
  }
  if (!format.is_object()) return make_error("invalid format: expected \"json\" or a JSON schema object");
  Result<Grammar> grammar = grammar_from_json_schema(format);
  if (!grammar) return Error{grammar.error()};
  return std::optional<Grammar>{std::move(*grammar)};
}

Result<std::optional<Grammar>> grammar_from_openai_response_format(const nlohmann::ordered_json& response_format) {
  if (response_format.is_null()) return std::optional<Grammar>{};
  const auto type = response_format.is_object() ? response_format.find("type") : response_format.end();
  if (!response_format.is_object() || type == response_format.end() || !type->is_string()) {
    return make_error("response_format must be an object with a string 'type'");
  }
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "text") return std::optional<Grammar>{};
  if (name == "json_object") return std::optional<Grammar>{json_object_grammar()};
  if (name != "json_schema") return make_error("response_format type '", name, "' is not supported");
  const auto spec = response_format.find("json_schema");
  if (spec == response_format.end() || !spec->is_object()) return make_error("response_format json_schema needs a 'json_schema' object");
  const auto schema = spec->find("schema");
  if (schema == spec->end()) return make_error("response_format json_schema needs 'json_schema.schema'");
  Result<Grammar> grammar = grammar_from_json_schema(*schema);
  if (!grammar) return Error{grammar.error()};
  return std::optional<Grammar>{std::move(*grammar)};
}

}  // namespace hearth::engine::grammar
