#include <algorithm>
#include <string>

#include "cli/show_report.h"
#include "model/metadata_json.h"

namespace hearth::cli {
namespace {

using nlohmann::json;

json or_null(const std::optional<uint64_t>& value) { return value ? json(*value) : json(nullptr); }

json tower_json(const model::ProjectorTower& tower) {
  json object = {{"modality", tower.modality},
                 {"projector_type", tower.projector_type},
                 {"block_count", or_null(tower.block_count)},
                 {"embedding_length", or_null(tower.embedding_length)},
                 {"projection_dim", or_null(tower.projection_dim)}};
  if (tower.modality == "vision") {
    object["image_size"] = or_null(tower.image_size);
    object["patch_size"] = or_null(tower.patch_size);
  } else {
    object["mel_bins"] = or_null(tower.mel_bins);
  }
  return object;
}

json tensor_table_json(const gguf::GgufFile& file) {
  json tensors = json::array();
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    json shape = json::array();
    for (uint32_t i = 0; i < std::max<uint32_t>(tensor.n_dims, 1); ++i) shape.push_back(tensor.ne[i]);
    tensors.push_back({{"name", tensor.name},
                       {"type", std::string(type_info(tensor.type).name)},
                       {"shape", shape},
                       {"bytes", tensor.bytes},
                       {"offset", tensor.offset}});
  }
  return tensors;
}

}  // namespace

json show_json(const gguf::GgufFile& file, const model::ModelInfo& info, const ShowOptions& options) {
  json type_mix = json::array();
  for (const model::TypeUsage& usage : info.type_mix) {
    type_mix.push_back(
        {{"type", std::string(type_info(usage.type).name)}, {"tensors", usage.tensors}, {"bytes", usage.bytes}});
  }
  json projector = json::array();
  for (const model::ProjectorTower& tower : info.projector_towers) projector.push_back(tower_json(tower));

  json document = {
      {"path", file.path().string()},
      {"architecture", info.architecture},
      {"type", info.kind},
      {"name", info.name},
      {"parameters", model::format_parameter_count(info.parameter_count)},
      {"parameter_count", info.parameter_count},
      {"file_type", info.file_type},
      {"file_type_guessed", info.file_type_guessed},
      {"file_size", file.file_size()},
      {"type_mix", type_mix},
      {"context_length", or_null(info.context_length)},
      {"embedding_length", or_null(info.embedding_length)},
      {"block_count", or_null(info.block_count)},
      {"capabilities", info.capabilities},
      {"projector", projector},
      {"license", info.license ? json(*info.license) : json(nullptr)},
      {"metadata", model::metadata_to_json(file.metadata(),
                                           options.verbose ? model::kNoArrayLimit : model::kDefaultArrayLimit)},
  };
  if (options.tensors) document["tensors"] = tensor_table_json(file);
  return document;
}

}  // namespace hearth::cli
