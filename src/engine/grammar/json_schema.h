#pragma once
// JSON Schema -> Grammar for structured output (Ollama `format`, OpenAI `response_format`), in the manner of
// llama.cpp's json-schema-to-grammar.
//
// Supported: type (string, number, integer, boolean, null, object, array, and arrays of these such as
// ["string","null"]), nullable, enum, const, anyOf, oneOf, allOf with a single schema, $ref to #, #/$defs/...
// and #/definitions/...; objects: properties (generated in the schema's order; pass an ordered_json parsed
// from the request text to keep it), required, additionalProperties (false, true or a schema; when absent,
// objects with properties allow no others, as OpenAI strict mode and llama.cpp do); arrays: items,
// minItems, maxItems; strings: minLength, maxLength, format date / time / date-time / uuid (other formats
// are annotations and ignored). `{}` and `true` accept any JSON value.
//
// Not enforced, by design (documented to callers): minimum / maximum / exclusive* / multipleOf (numbers are
// any JSON number of bounded length), and additional property names are any string (they may repeat a
// declared one). Validation keywords that cannot be enforced (pattern, not, if/then/else, prefixItems,
// uniqueItems, patternProperties, ...) are errors naming the keyword, for the server to answer 400 with.
//
// Output shape: JSON text with at most a short run of whitespace between tokens (one space, or a newline
// and up to 20 spaces/tabs), numbers of at most 16 integer and 16 fraction digits, so a model cannot loop
// on spaces or digits.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/grammar/grammar.h"

namespace hearth::engine::grammar {

// Schemas may nest this deep (through properties, items, anyOf and $ref alike).
inline constexpr int kMaxSchemaDepth = 64;

// JSON mode (Ollama format "json", OpenAI json_object): any JSON object.
Grammar json_object_grammar();

Result<Grammar> grammar_from_json_schema(const nlohmann::ordered_json& schema);
Result<Grammar> grammar_from_json_schema_text(std::string_view schema_text);

// Ollama `format`: null or "" -> no constraint; "json" -> JSON mode; an object -> that schema.
Result<std::optional<Grammar>> grammar_from_ollama_format(const nlohmann::ordered_json& format);
// OpenAI `response_format`: {"type":"text"} -> none; {"type":"json_object"} -> JSON mode;
// {"type":"json_schema","json_schema":{"name":..., "schema":{...}, "strict":...}} -> that schema.
Result<std::optional<Grammar>> grammar_from_openai_response_format(const nlohmann::ordered_json& response_format);

}  // namespace hearth::engine::grammar
