#pragma once
// What `hearth show` reports about a GGUF file, derived from its metadata and tensor table the way Ollama's
// `ollama show` does (parameters = sum of tensor elements, capabilities from metadata, tensors and template).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tensor/types.h"

namespace hearth::model {

// How many tensors of one type a file holds and how many bytes they take.
struct TypeUsage {
  TensorType type = TensorType::F32;
  uint64_t tensors = 0;
  uint64_t bytes = 0;
};

// One encoder tower of a multimodal projector (mmproj) file: `clip.vision.*` or `clip.audio.*`.
struct ProjectorTower {
  std::string modality;  // "vision" or "audio"
  std::string projector_type;
  std::optional<uint64_t> block_count;
  std::optional<uint64_t> embedding_length;
  std::optional<uint64_t> projection_dim;
  std::optional<uint64_t> image_size;  // vision only
  std::optional<uint64_t> patch_size;  // vision only
  std::optional<uint64_t> mel_bins;    // audio only
};

struct ModelInfo {
  std::string architecture;   // general.architecture, "" when absent
  std::string kind;           // general.type: "model", "mmproj", "adapter", ...
  std::string name;           // general.name
  uint64_t parameter_count = 0;
  std::string file_type;      // e.g. "Q4_K_M"; from general.file_type, else guessed from the tensors
  bool file_type_guessed = false;
  std::vector<TypeUsage> type_mix;  // largest byte share first
  std::optional<uint64_t> context_length;
  std::optional<uint64_t> embedding_length;
  std::optional<uint64_t> block_count;
  std::vector<std::string> capabilities;
  std::vector<ProjectorTower> projector_towers;  // empty unless the file is (or embeds) a projector
  std::optional<std::string> license;
};

ModelInfo describe_model(const gguf::GgufFile& file);

// Ollama's rounding: "5.1B", "4.23M", "12K", "950".
std::string format_parameter_count(uint64_t count);

}  // namespace hearth::model
