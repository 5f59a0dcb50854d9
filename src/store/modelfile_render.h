#pragma once
// The text forms /api/show and `show --modelfile` print for a stored model, as Ollama prints them: a
// Modelfile that would rebuild the model, and the parameters as "name   value" lines.
#include <string>

#include <nlohmann/json.hpp>

#include "store/model_store.h"

namespace hearth::store {

// One line per value (a list gives one line per item), names padded to 30 columns, strings quoted, sorted.
std::string format_parameters(const nlohmann::json& parameters);

// A Modelfile that parses back to the same model: FROM the model's GGUF (and projector), TEMPLATE, SYSTEM,
// PARAMETER, LICENSE and MESSAGE lines.
std::string render_modelfile(const ResolvedModel& model);

}  // namespace hearth::store
