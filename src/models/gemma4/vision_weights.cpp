#include "models/gemma4/vision_weights.h"

#include <array>
#include <sstream>
#include <string>

#include "cpu/weight_formats.h"
#include "tensor/quants.h"

namespace hearth::models::gemma4 {
namespace {

using Shape = std::array<int64_t, 4>;

std::string shape_text(const Shape& ne) {
  std::ostringstream out;
  out << "{" << ne[0];
  for (size_t i = 1; i < ne.size(); ++i) {
    if (ne[i] != 1) out << ", " << ne[i];
  }
  out << "}";
  return out.str();
}

// The tensor `name` with shape `ne` (trailing 1s free); null when absent and optional.
Result<const gguf::TensorInfo*> find(const gguf::GgufFile& file, const std::string& name, const Shape& ne, bool required) {
  const gguf::TensorInfo* tensor = file.find_tensor(name);
  if (!tensor) {
    if (required) return make_error("missing required tensor '", name, "'");
    return static_cast<const gguf::TensorInfo*>(nullptr);
  }
  if (tensor->ne != ne) {
    return make_error("tensor '", name, "': shape ", shape_text(tensor->ne), ", expected ", shape_text(ne));
  }
  return tensor;
}

Status bind_matrix(const gguf::TensorInfo& tensor, int64_t n_in, int64_t n_out, cpu::WeightMatrix& matrix) {
  const std::optional<cpu::WeightFormat> format = cpu::weight_format_of(tensor.type);
  if (!format) {
    return make_error("tensor '", tensor.name, "': type ", type_info(tensor.type).name, " cannot be used as a linear weight");
  }
  if (n_in % cpu::weight_block_elements(*format) != 0) {
    return make_error("tensor '", tensor.name, "': row length ", n_in, " is not a whole number of ",
                      type_info(tensor.type).name, " blocks");
  }
  matrix = {*format, tensor.data, n_out, n_in};
  return Status::success();
}

Status decode(const gguf::TensorInfo& tensor, std::vector<float>& values) {
  values.resize(static_cast<size_t>(tensor.elements()));
  Status decoded = dequantize_row(tensor.type, tensor.data, values.data(), tensor.elements());
  if (!decoded) return make_error("tensor '", tensor.name, "': ", decoded.error());
  return Status::success();
}

class Binder {
 public:
  explicit Binder(const gguf::GgufFile& file) : file_(file) {}

  Status matrix(const std::string& name, int64_t n_in, int64_t n_out, cpu::WeightMatrix& out) {
    Result<const gguf::TensorInfo*> tensor = find(file_, name, {n_in, n_out, 1, 1}, true);
    if (!tensor) return Error{tensor.error()};
    return bind_matrix(**tensor, n_in, n_out, out);
  }

  Status vector(const std::string& name, int64_t n, std::vector<float>& out, bool required = true) {
    Result<const gguf::TensorInfo*> tensor = find(file_, name, {n, 1, 1, 1}, required);
    if (!tensor) return Error{tensor.error()};
    return *tensor ? decode(**tensor, out) : Status::success();
  }

  // An optional one-element F32 tensor; `value` is left alone when it is absent.
  Status scalar(const std::string& name, float& value) {
    Result<const gguf::TensorInfo*> tensor = find(file_, name, {1, 1, 1, 1}, false);
    if (!tensor) return Error{tensor.error()};
    if (!*tensor) return Status::success();
    if ((*tensor)->type != TensorType::F32) {
      return make_error("tensor '", name, "': type ", type_info((*tensor)->type).name, ", expected F32 (a clamp bound)");
    }
    std::vector<float> decoded;
    if (Status ok = decode(**tensor, decoded); !ok) return ok;
    value = decoded[0];
    return Status::success();
  }

  // `<stem>.weight` and its optional clamp bounds.
  Status clippable(const std::string& stem, int64_t n_in, int64_t n_out, ClippableLinear& out) {
    if (Status ok = matrix(stem + ".weight", n_in, n_out, out.weight); !ok) return ok;
    const std::pair<const char*, float*> bounds[] = {{".input_min", &out.input_min},
                                                     {".input_max", &out.input_max},
                                                     {".output_min", &out.output_min},
                                                     {".output_max", &out.output_max}};
    for (const auto& [suffix, target] : bounds) {
      if (Status ok = scalar(stem + suffix, *target); !ok) return ok;
    }
    return Status::success();
  }

 private:
  const gguf::GgufFile& file_;
};

Status bind_layer(Binder& bind, const VisionConfig& c, int64_t il, VisionLayerWeights& w) {
  const std::string p = "v.blk." + std::to_string(il) + ".";
  const int64_t d = c.n_embd;
  const std::pair<std::string, std::vector<float>*> norms[] = {
      {"ln1.weight", &w.ln1}, {"attn_post_norm.weight", &w.attn_post_norm}, {"ln2.weight", &w.ln2},
      {"ffn_post_norm.weight", &w.ffn_post_norm}};
  for (const auto& [name, target] : norms) {
    if (Status ok = bind.vector(p + name, d, *target); !ok) return ok;
  }
  if (Status ok = bind.vector(p + "attn_q_norm.weight", c.head_dim, w.attn_q_norm); !ok) return ok;
  if (Status ok = bind.vector(p + "attn_k_norm.weight", c.head_dim, w.attn_k_norm); !ok) return ok;
  const struct {
    const char* stem;
    int64_t n_in, n_out;
    ClippableLinear* target;
  } linears[] = {{"attn_q", d, d, &w.attn_q},      {"attn_k", d, d, &w.attn_k},        {"attn_v", d, d, &w.attn_v},
                 {"attn_out", d, d, &w.attn_out},  {"ffn_gate", d, c.n_ff, &w.ffn_gate}, {"ffn_up", d, c.n_ff, &w.ffn_up},
                 {"ffn_down", c.n_ff, d, &w.ffn_down}};
  for (const auto& linear : linears) {
    if (Status ok = bind.clippable(p + linear.stem, linear.n_in, linear.n_out, *linear.target); !ok) return ok;
  }
  return bind.scalar(p + "out_scale.weight", w.out_scale);
}

// Ollama's legacy packing: per layer (q, k, v, out, gate, up, down) × (in_min, in_max, out_min, out_max),
// then the projector's four.
Status apply_packed_clamps(const gguf::GgufFile& file, const VisionConfig& config, VisionWeights& weights) {
  const int64_t expected = (config.n_layer * 7 + 1) * 4;
  Result<const gguf::TensorInfo*> tensor = find(file, "v.clamp_data", {expected, 1, 1, 1}, false);
  if (!tensor) return Error{tensor.error()};
  if (!*tensor) return Status::success();
  std::vector<float> packed;
  if (Status ok = decode(**tensor, packed); !ok) return ok;
  const auto set = [&](ClippableLinear& linear, int64_t slot) {
    const float* b = packed.data() + slot * 4;
    linear.input_min = b[0];
    linear.input_max = b[1];
    linear.output_min = b[2];
    linear.output_max = b[3];
  };
  for (int64_t il = 0; il < config.n_layer; ++il) {
    VisionLayerWeights& w = weights.layers[il];
    ClippableLinear* order[] = {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_out, &w.ffn_gate, &w.ffn_up, &w.ffn_down};
    for (int64_t i = 0; i < 7; ++i) set(*order[i], il * 7 + i);
  }
  set(weights.projection, config.n_layer * 7);
  return Status::success();
}

}  // namespace

Result<VisionWeights> load_vision_weights(const gguf::GgufFile& file, const VisionConfig& config) {
  VisionWeights weights;
  Binder bind(file);
  const int64_t d = config.n_embd, p = config.patch_size;

  Result<const gguf::TensorInfo*> patch = find(file, "v.patch_embd.weight", {p, p, 3, d}, true);
  if (!patch) return Error{patch.error()};
  if (Status ok = bind_matrix(**patch, 3 * p * p, d, weights.patch_embd); !ok) return Error{ok.error()};

  Result<const gguf::TensorInfo*> positions =
      find(file, "v.position_embd.weight", {d, config.position_table_size, 2, 1}, true);
  if (!positions) return Error{positions.error()};
  std::vector<float> tables;
  if (Status ok = decode(**positions, tables); !ok) return Error{ok.error()};
  const auto half = tables.begin() + config.position_table_size * d;
  weights.position_x.assign(tables.begin(), half);
  weights.position_y.assign(half, tables.end());

  weights.layers.resize(config.n_layer);
  for (int64_t il = 0; il < config.n_layer; ++il) {
    if (Status ok = bind_layer(bind, config, il, weights.layers[il]); !ok) return Error{ok.error()};
  }
  if (Status ok = bind.vector("v.std_bias", d, weights.std_bias, false); !ok) return Error{ok.error()};
  if (Status ok = bind.vector("v.std_scale", d, weights.std_scale, false); !ok) return Error{ok.error()};
  if (weights.std_bias.empty() != weights.std_scale.empty()) {
    return make_error("tensors 'v.std_bias' and 'v.std_scale' must both be present or both absent");
  }
  if (Status ok = bind.clippable("mm.input_projection", d, config.n_embd_text, weights.projection); !ok) {
    return Error{ok.error()};
  }
  if (Status ok = apply_packed_clamps(file, config, weights); !ok) return Error{ok.error()};
  return weights;
}

}  // namespace hearth::models::gemma4
