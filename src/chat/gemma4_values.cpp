#include "chat/gemma4_values.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "chat/gemma4_markers.h"
#include "chat/jinja_compat.h"

namespace hearth::chat::gemma4 {
namespace {

using nlohmann::json;

// How the template prints a looked-up field: Undefined prints nothing, anything else as Python's str().
std::string text_of(const json* value) { return value ? jinja::python_str(*value) : std::string(); }

bool is_truthy(const json* value) { return value && jinja::truthy(*value); }

const json* field(const json* value, std::string_view key) {
  return value ? jinja::lookup(*value, key) : nullptr;
}

std::string delimited(std::string_view text) {
  return std::string(kQuote) + std::string(text) + std::string(kQuote);
}

// `<|"|>a<|"|>,<|"|>b<|"|>` for a JSON-schema `required` list.
std::string quoted_list(const json& names) {
  std::string out;
  for (const json& name : jinja::iterate(names)) {
    if (!out.empty()) out += ',';
    out += delimited(jinja::python_str(name));
  }
  return out;
}

// Joins the fields of one declaration entry: the template writes a comma before every field but the first.
class FieldList {
 public:
  explicit FieldList(std::string& out) : out_(out) {}
  std::string& next() {
    if (started_) out_ += ',';
    started_ = true;
    return out_;
  }
  void mark_started() { started_ = true; }

 private:
  std::string& out_;
  bool started_ = false;
};

void append_properties(std::string& out, const json& properties);

void append_array_items(std::string& out, const json& items) {
  out += "items:{";
  bool first = true;
  for (const auto& [key, value] : jinja::dictsort(items)) {
    if (value->is_null()) continue;
    if (!first) out += ',';
    first = false;
    if (key == "properties") {
      out += "properties:{";
      if (value->is_object()) append_properties(out, *value);
      out += '}';
    } else if (key == "required") {
      out += "required:[" + quoted_list(*value) + "]";
    } else if (key == "type" && value->is_string()) {
      out += "type:" + format_argument(jinja::upper(value->get_ref<const std::string&>()));
    } else if (key == "type") {
      json upper_types = json::array();
      for (const json& type : jinja::iterate(*value))
        upper_types.push_back(jinja::upper(jinja::python_str(type)));
      out += "type:" + format_argument(upper_types);
    } else {
      out += key + ":" + format_argument(*value);
    }
  }
  out += '}';
}

// The template's format_parameters: one `name:{...}` per property, skipping names that collide with
// JSON-schema keywords (the template reuses this for objects given without a `properties` key).
void append_properties(std::string& out, const json& properties) {
  static constexpr std::array<std::string_view, 5> kSchemaKeywords = {"description", "type", "properties",
                                                                      "required", "nullable"};
  bool first = true;
  for (const auto& [name, value_pointer] : jinja::dictsort(properties)) {
    if (std::find(kSchemaKeywords.begin(), kSchemaKeywords.end(), name) != kSchemaKeywords.end()) continue;
    const json& value = *value_pointer;
    if (!first) out += ',';
    first = false;
    out += name + ":{";
    FieldList fields(out);
    if (const json* description = jinja::lookup(value, "description"); is_truthy(description)) {
      out += "description:" + delimited(jinja::python_str(*description));
      fields.mark_started();
    }
    const std::string type = jinja::upper(text_of(jinja::lookup(value, "type")));
    if (type == "STRING") {
      if (const json* values = jinja::lookup(value, "enum"); is_truthy(values)) {
        fields.next() += "enum:" + format_argument(*values);
      }
    } else if (type == "ARRAY") {
      if (const json* items = jinja::lookup(value, "items"); items && items->is_object() && !items->empty()) {
        append_array_items(fields.next(), *items);
      }
    }
    if (is_truthy(jinja::lookup(value, "nullable"))) fields.next() += "nullable:true";
    if (type == "OBJECT") {
      const json* nested = jinja::lookup(value, "properties");
      const json& nested_properties = nested && nested->is_object() ? *nested : value;
      fields.next() += "properties:{";
      append_properties(out, nested_properties);
      out += '}';
      if (const json* required = jinja::lookup(value, "required"); is_truthy(required)) {
        fields.next() += "required:[" + quoted_list(*required) + "]";
      }
    }
    fields.next() += "type:" + delimited(type) + "}";
  }
}

}  // namespace

std::string format_argument(const json& value, KeyStyle keys) {
  if (value.is_string()) return delimited(value.get_ref<const std::string&>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_object()) {
    std::string out = "{";
    for (const auto& [key, item] : jinja::dictsort(value)) {
      if (out.size() > 1) out += ',';
      out += (keys == KeyStyle::quoted ? delimited(key) : key) + ":" + format_argument(*item, keys);
    }
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (const json& item : value) {
      if (out.size() > 1) out += ',';
      out += format_argument(item, keys);
    }
    return out + "]";
  }
  return jinja::python_str(value);
}

// Mirrors format_function_declaration, including its quirk of leaving `parameters:{` unclosed (and a
// trailing comma) when the schema has no `type`.
std::string format_tool_declaration(const json& tool) {
  const json* function = jinja::lookup(tool, "function");
  std::string out = "declaration:" + text_of(field(function, "name")) +
                    "{description:" + delimited(text_of(field(function, "description")));
  if (const json* parameters = field(function, "parameters"); is_truthy(parameters)) {
    out += ",parameters:{";
    if (const json* properties = jinja::lookup(*parameters, "properties"); is_truthy(properties)) {
      out += "properties:{";
      if (properties->is_object()) append_properties(out, *properties);
      out += "},";
    }
    if (const json* required = jinja::lookup(*parameters, "required"); is_truthy(required)) {
      out += "required:[" + quoted_list(*required) + "],";
    }
    if (const json* type = jinja::lookup(*parameters, "type"); is_truthy(type)) {
      out += "type:" + delimited(jinja::upper(jinja::python_str(*type))) + "}";
    }
  }
  if (function && function->is_object() && function->contains("response")) {
    const json& response = function->at("response");
    out += ",response:{";
    if (const json* description = jinja::lookup(response, "description"); is_truthy(description)) {
      out += "description:" + delimited(jinja::python_str(*description)) + ",";
    }
    const std::string type = jinja::upper(text_of(jinja::lookup(response, "type")));
    if (type == "OBJECT") out += "type:" + delimited(type) + "}";
  }
  return out + "}";
}

}  // namespace hearth::chat::gemma4
