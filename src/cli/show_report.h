#pragma once
// The two renderings of `hearth show`: an Ollama-style text summary and a JSON document with stable keys.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "model/model_info.h"

namespace hearth::cli {

struct ShowOptions {
  bool tensors = false;  // add the tensor table
  bool verbose = false;  // all metadata keys (text) / arrays in full (JSON)
};

void print_show_text(std::FILE* out, const gguf::GgufFile& file, const model::ModelInfo& info, const ShowOptions& options);

// Keys: path, architecture, type, name, parameters, parameter_count, file_type, file_type_guessed, type_mix,
// context_length, embedding_length, block_count, capabilities, projector, license, metadata, and tensors
// (only with options.tensors). Absent values are null.
nlohmann::json show_json(const gguf::GgufFile& file, const model::ModelInfo& info, const ShowOptions& options);

}  // namespace hearth::cli
