#pragma once
// What Jinja2 (Python) does to JSON values when a chat template prints, trims, tests or sorts them, so that
// hand-written renderers produce byte-identical prompts to the reference templates.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace hearth::chat::jinja {

// Python's str(): None, True/False, repr-style floats (1.0, 1e-05, 1e+16), containers as Python literals.
// Objects list their keys in sorted order (Python would keep insertion order, which nlohmann::json loses).
std::string python_str(const nlohmann::json& value);

// Python's str.strip() with no argument: removes Unicode whitespace (not just ASCII) at both ends.
std::string_view strip(std::string_view text);

// Python truthiness: null, false, 0, "", [] and {} are false.
bool truthy(const nlohmann::json& value);

// The `upper` filter; only ASCII letters change, which covers JSON-schema type names.
std::string upper(std::string_view text);

// The `dictsort` filter: items ordered by case-folded key.
std::vector<std::pair<std::string, const nlohmann::json*>> dictsort(const nlohmann::json& object);

// What a `for` loop over the value visits: array items, object keys, or a string's characters; nothing for
// scalars (where Jinja would raise).
std::vector<nlohmann::json> iterate(const nlohmann::json& value);

// value[key] as a template sees it: nullptr (Jinja's Undefined) when `value` is not an object or lacks the
// key.
const nlohmann::json* lookup(const nlohmann::json& value, std::string_view key);

}  // namespace hearth::chat::jinja
