#include "model/model_info.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model/capabilities.h"
#include "model/file_type.h"

namespace hearth::model {
namespace {

std::optional<uint64_t> optional_uint(const gguf::GgufFile& file, const std::string& key) {
  const Result<uint64_t> value = file.get_uint(key);
  return value.ok() ? std::optional<uint64_t>(*value) : std::nullopt;
}

std::string string_or_empty(const gguf::GgufFile& file, const std::string& key) {
  const Result<std::string> value = file.get_string(key);
  return value.ok() ? *value : std::string();
}

TypeUsage& usage_of(std::vector<TypeUsage>& usages, TensorType type) {
  auto usage = std::find_if(usages.begin(), usages.end(), [&](const TypeUsage& u) { return u.type == type; });
  return usage != usages.end() ? *usage : usages.emplace_back(TypeUsage{type, 0, 0});
}

std::vector<TypeUsage> type_mix(const gguf::GgufFile& file) {
  std::vector<TypeUsage> mix;
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    TypeUsage& usage = usage_of(mix, tensor.type);
    usage.tensors += 1;
    usage.bytes += tensor.bytes;
  }
  std::stable_sort(mix.begin(), mix.end(), [](const TypeUsage& a, const TypeUsage& b) { return a.bytes > b.bytes; });
  return mix;
}

// Without a usable general.file_type, name the file after the type holding most of the matrix bytes,
// which is what the mix is mostly made of (norms and other vectors stay F32 in every mix).
std::string guess_file_type(const gguf::GgufFile& file) {
  std::vector<TypeUsage> matrices;
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    if (tensor.rows() > 1) usage_of(matrices, tensor.type).bytes += tensor.bytes;
  }
  if (matrices.empty()) return "unknown";
  const auto largest = std::max_element(matrices.begin(), matrices.end(),
                                        [](const TypeUsage& a, const TypeUsage& b) { return a.bytes < b.bytes; });
  return std::string(type_info(largest->type).name);
}

// mmproj files keep tower settings under `clip.<modality>.`, Ollama's monolithic files under
// `<arch>.<modality>.`.
std::optional<ProjectorTower> projector_tower(const gguf::GgufFile& file, const std::string& key_prefix,
                                              const std::string& modality) {
  const std::string prefix = key_prefix + modality + ".";
  const Result<bool> declared = file.get_bool("clip.has_" + modality + "_encoder");
  const bool present = (declared.ok() && *declared) || file.find(prefix + "block_count") != nullptr ||
                       file.find(prefix + "projector_type") != nullptr;
  if (!present) return std::nullopt;

  ProjectorTower tower;
  tower.modality = modality;
  tower.projector_type = string_or_empty(file, prefix + "projector_type");
  if (tower.projector_type.empty()) tower.projector_type = string_or_empty(file, "clip.projector_type");
  tower.block_count = optional_uint(file, prefix + "block_count");
  tower.embedding_length = optional_uint(file, prefix + "embedding_length");
  tower.projection_dim = optional_uint(file, prefix + "projection_dim");
  if (modality == "vision") {
    tower.image_size = optional_uint(file, prefix + "image_size");
    tower.patch_size = optional_uint(file, prefix + "patch_size");
  } else {
    tower.mel_bins = optional_uint(file, prefix + "num_mel_bins");
  }
  return tower;
}

}  // namespace

ModelInfo describe_model(const gguf::GgufFile& file) {
  ModelInfo info;
  info.architecture = string_or_empty(file, "general.architecture");
  info.kind = string_or_empty(file, "general.type");
  if (info.kind.empty()) info.kind = "model";
  info.name = string_or_empty(file, "general.name");
  for (const gguf::TensorInfo& tensor : file.tensors()) info.parameter_count += static_cast<uint64_t>(tensor.elements());

  info.type_mix = type_mix(file);
  const std::optional<uint64_t> file_type = optional_uint(file, "general.file_type");
  const std::optional<std::string_view> file_type_label = file_type ? file_type_name(*file_type) : std::nullopt;
  if (file_type_label && *file_type_label != "GUESSED") {
    info.file_type = std::string(*file_type_label);
  } else {
    info.file_type = guess_file_type(file);
    info.file_type_guessed = true;
  }

  const std::string arch_prefix = info.architecture + ".";
  info.context_length = optional_uint(file, arch_prefix + "context_length");
  info.embedding_length = optional_uint(file, arch_prefix + "embedding_length");
  info.block_count = optional_uint(file, arch_prefix + "block_count");
  info.capabilities = detect_capabilities(file);

  const bool projector_file = info.architecture == "clip" || info.kind == "mmproj";
  const std::string tower_prefix = projector_file ? "clip." : arch_prefix;
  for (const std::string modality : {"vision", "audio"}) {
    if (auto tower = projector_tower(file, tower_prefix, modality)) info.projector_towers.push_back(std::move(*tower));
  }

  if (const Result<std::string> license = file.get_string("general.license"); license.ok()) info.license = *license;
  return info;
}

std::string format_parameter_count(uint64_t count) {
  struct Unit {
    double scale;
    const char* suffix;
    int decimals;
  };
  // Ollama's format.HumanNumber: one decimal for billions and up, two for millions, none for thousands, and
  // no decimals at all for whole numbers.
  constexpr Unit kUnits[] = {{1e12, "T", 1}, {1e9, "B", 1}, {1e6, "M", 2}, {1e3, "K", 0}};
  for (const Unit& unit : kUnits) {
    if (static_cast<double>(count) < unit.scale) continue;
    const double scaled = static_cast<double>(count) / unit.scale;
    const int decimals = scaled == std::floor(scaled) ? 0 : unit.decimals;
    char text[64];
    std::snprintf(text, sizeof text, "%.*f%s", decimals, scaled, unit.suffix);
    return text;
  }
  return std::to_string(count);
}

}  // namespace hearth::model
