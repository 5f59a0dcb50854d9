#pragma once
// Ollama's model options (api.Options JSON names, spec/api.md §2.8) as they appear in a Modelfile's PARAMETER
// lines and in a manifest's params layer: each name has one type (integer, float, bool or a list of strings).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace hearth::store {

enum class OptionType { integer, number, boolean, string_list };

// The type of a known option; an error for an unknown name.
Result<OptionType> option_type(std::string_view name);

// Options Ollama once had and now ignores with a warning (mirostat, use_mlock, ...).
bool is_deprecated_option(std::string_view name);

// Adds `PARAMETER name value` to `parameters`: the text is parsed as the option's type; repeated `stop`
// lines append to the list, other repeats replace. Unknown names and unparsable values are errors.
Status add_parameter(nlohmann::json& parameters, std::string_view name, std::string_view value);

// Checks an options object from JSON (a params layer, an API request). Integers may arrive as integral
// floats (1.0); a string list may be given as one string. Strict mode fails on unknown names and wrong types;
// lenient mode (reading existing stores) drops them and reports each in `dropped`.
Result<nlohmann::json> normalize_parameters(const nlohmann::json& options, bool strict,
                                            std::vector<std::string>* dropped = nullptr);

}  // namespace hearth::store
