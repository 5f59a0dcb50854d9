#include "models/gemma4/vision_config.h"

#include <cmath>
#include <string_view>

namespace hearth::models::gemma4 {
namespace {

constexpr std::string_view kClipPrefix = "clip.vision.";
constexpr std::string_view kOllamaPrefix = "gemma4.vision.";
constexpr int64_t kMaxDimension = int64_t{1} << 20;  // far above any real tower; keeps products in range

std::string key(std::string_view prefix, std::string_view name) { return std::string(prefix) + std::string(name); }

Result<std::string> projector_type(const gguf::GgufFile& file) {
  for (const char* name : {"clip.vision.projector_type", "clip.projector_type"}) {
    if (file.find(name)) return file.get_string(name);
  }
  return std::string{};
}

Result<int64_t> read_size(const gguf::GgufFile& file, const std::string& name, int64_t fallback) {
  if (!file.find(name)) {
    if (fallback > 0) return fallback;
    return make_error("missing metadata key '", name, "'");
  }
  Result<uint64_t> value = file.get_uint(name);
  if (!value) return Error{value.error()};
  if (*value == 0 || *value > static_cast<uint64_t>(kMaxDimension)) {
    return make_error("metadata key '", name, "' = ", *value, " is out of range [1, ", kMaxDimension, "]");
  }
  return static_cast<int64_t>(*value);
}

Status read_triplet(const gguf::GgufFile& file, const std::string& name, std::array<float, 3>& out) {
  if (!file.find(name)) return Status::success();
  Result<std::vector<double>> values = file.get_float_array(name);
  if (!values) return Error{values.error()};
  if (values->size() != 3) return make_error("metadata key '", name, "' has ", values->size(), " values, expected 3");
  for (size_t c = 0; c < 3; ++c) out[c] = static_cast<float>((*values)[c]);
  return Status::success();
}

const gguf::TensorInfo* tensor_with_dims(const gguf::GgufFile& file, const char* name, uint32_t min_dims) {
  const gguf::TensorInfo* tensor = file.find_tensor(name);
  return tensor && tensor->n_dims >= min_dims ? tensor : nullptr;
}

}  // namespace

bool has_vision_tower(const gguf::GgufFile& file) {
  if (file.find(key(kOllamaPrefix, "block_count"))) return true;
  Result<std::string> type = projector_type(file);
  return type && *type == "gemma4v" && file.find(key(kClipPrefix, "block_count"));
}

Result<VisionConfig> load_vision_config(const gguf::GgufFile& file) {
  const bool ollama = file.find(key(kOllamaPrefix, "block_count")) != nullptr;
  const std::string_view prefix = ollama ? kOllamaPrefix : kClipPrefix;
  if (!ollama) {
    Result<std::string> type = projector_type(file);
    if (!type) return Error{type.error()};
    if (type->empty()) return make_error("no vision tower: neither clip.vision.projector_type nor gemma4.vision keys");
    if (*type != "gemma4v") return make_error("vision projector type '", *type, "' is not supported (expected gemma4v)");
  }

  VisionConfig config;
  struct SizeKey {
    const char* name;
    int64_t* target;
    int64_t fallback;  // 0: required
  };
  const SizeKey sizes[] = {
      {"block_count", &config.n_layer, 0},
      {"embedding_length", &config.n_embd, 0},
      {"attention.head_count", &config.n_head, 0},
      {"feed_forward_length", &config.n_ff, 0},
      {"patch_size", &config.patch_size, 16},
      {"projector.scale_factor", &config.n_merge, 3},
  };
  for (const SizeKey& size : sizes) {
    Result<int64_t> value = read_size(file, key(prefix, size.name), size.fallback);
    if (!value) return Error{value.error()};
    *size.target = *value;
  }
  if (config.n_embd % config.n_head != 0) {
    return make_error("vision embedding length ", config.n_embd, " is not a multiple of the head count ", config.n_head);
  }
  config.head_dim = config.n_embd / config.n_head;
  if (config.head_dim % 4 != 0) {
    return make_error("vision head size ", config.head_dim, " cannot be split into two rotated halves (needs a multiple of 4)");
  }

  const std::string eps_key = key(prefix, "attention.layer_norm_epsilon");
  if (file.find(eps_key)) {
    Result<double> eps = file.get_float(eps_key);
    if (!eps) return Error{eps.error()};
    if (!(*eps > 0.0 && *eps < 1.0)) return make_error("metadata key '", eps_key, "' = ", *eps, " is out of range (0, 1)");
    config.eps = static_cast<float>(*eps);
  }
  if (Status mean = read_triplet(file, key(prefix, "image_mean"), config.image_mean); !mean) return Error{mean.error()};
  if (Status std = read_triplet(file, key(prefix, "image_std"), config.image_std); !std) return Error{std.error()};
  for (float s : config.image_std) {
    if (!(std::fabs(s) > 0.0f)) return make_error("metadata key '", key(prefix, "image_std"), "' holds a zero");
  }
  if (file.find("clip.use_gelu")) {
    Result<bool> use_gelu = file.get_bool("clip.use_gelu");
    if (!use_gelu) return Error{use_gelu.error()};
    if (*use_gelu) config.activation = VisionActivation::gelu_tanh;
  }

  const gguf::TensorInfo* positions = tensor_with_dims(file, "v.position_embd.weight", 2);
  if (!positions) return make_error("missing required tensor 'v.position_embd.weight'");
  config.position_table_size = positions->ne[1];
  const gguf::TensorInfo* projection = tensor_with_dims(file, "mm.input_projection.weight", 2);
  if (!projection) return make_error("missing required tensor 'mm.input_projection.weight'");
  config.n_embd_text = projection->ne[1];
  return config;
}

}  // namespace hearth::models::gemma4
