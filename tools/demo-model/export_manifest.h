#pragma once
// What dump_model.py hands the exporter: manifest.json (the shape, the tensors' names, shapes and offsets in a
// raw float32 file) and the vocabulary JSON written by gemma4_bpe.py.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "synth/gemma4_shape.h"

namespace hearth::demo_model {

struct DumpedTensor {
  std::string name;
  std::vector<int64_t> ne;  // ggml order
  uint64_t offset = 0;      // into the weights file, in bytes
};

struct Vocabulary {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;  // tokenizer.ggml.token_type values
  std::vector<std::string> merges;
};

struct ExportInput {
  std::string model_name;
  synth::Gemma4Shape shape;
  std::vector<DumpedTensor> tensors;
  std::vector<float> weights;  // the whole float32 file
  Vocabulary vocab;
};

// Reads the manifest and every file it names (paths relative to the manifest's folder), checking that each
// tensor lies inside the weights file and that the vocabulary has n_vocab consistent entries.
Result<ExportInput> read_export_input(const std::filesystem::path& manifest_path);

}  // namespace hearth::demo_model
