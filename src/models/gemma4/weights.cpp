#include "models/gemma4/weights.h"

#include <algorithm>
#include <sstream>

#include "cpu/weight_formats.h"
#include "tensor/quants.h"

namespace hearth::models::gemma4 {
namespace {

std::string shape_text(const std::array<int64_t, 4>& ne, uint32_t n_dims) {
  std::ostringstream out;
  out << "{";
  for (uint32_t i = 0; i < n_dims; ++i) out << (i ? ", " : "") << ne[i];
  out << "}";
  return out.str();
}

uint32_t dims_of(const std::array<int64_t, 4>& ne) {
  uint32_t n_dims = 4;
  while (n_dims > 1 && ne[n_dims - 1] == 1) --n_dims;
  return n_dims;
}

Status check_shape(const gguf::TensorInfo& tensor, const std::array<int64_t, 4>& expected) {
  if (tensor.ne == expected) return Status::success();
  return make_error("tensor '", tensor.name, "': shape ", shape_text(tensor.ne, std::max(tensor.n_dims, 1u)),
                    ", expected ", shape_text(expected, dims_of(expected)));
}

Status bind_matrix(const gguf::TensorInfo& tensor, cpu::WeightMatrix& matrix) {
  const std::optional<cpu::WeightFormat> format = cpu::weight_format_of(tensor.type);
  if (!format) {
    return make_error("tensor '", tensor.name, "': type ", type_info(tensor.type).name, " cannot be used as a linear weight");
  }
  if (tensor.ne[0] % cpu::weight_block_elements(*format) != 0) {
    return make_error("tensor '", tensor.name, "': row length ", tensor.ne[0], " is not a whole number of ",
                      type_info(tensor.type).name, " blocks");
  }
  matrix = {*format, tensor.data, tensor.ne[1], tensor.ne[0]};
  return Status::success();
}

Status bind_values(const gguf::TensorInfo& tensor, float* values) {
  Status decoded = dequantize_row(tensor.type, tensor.data, values, tensor.elements());
  if (!decoded) return make_error("tensor '", tensor.name, "': ", decoded.error());
  return Status::success();
}

// Row lookups decode one row at a time, so a type must decode whole rows.
Status check_rows_decodable(const gguf::TensorInfo& tensor) {
  std::vector<float> row(tensor.ne[0]);
  return bind_values(gguf::TensorInfo{tensor.name, tensor.type, 1, {tensor.ne[0], 1, 1, 1}, 0, 0, 0, tensor.data},
                     row.data());
}

Status bind(const gguf::TensorInfo& tensor, const BindingTarget& target) {
  if (auto* matrix = std::get_if<cpu::WeightMatrix*>(&target)) return bind_matrix(tensor, **matrix);
  if (auto* vector = std::get_if<std::vector<float>*>(&target)) {
    (*vector)->resize(tensor.elements());
    return bind_values(tensor, (*vector)->data());
  }
  if (auto* scalar = std::get_if<float*>(&target)) return bind_values(tensor, *scalar);
  if (auto* info = std::get_if<const gguf::TensorInfo**>(&target)) {
    **info = &tensor;
    return check_rows_decodable(tensor);
  }
  return Status::success();
}

}  // namespace

std::vector<Binding> bindings(const Config& config, Weights& weights) {
  const int64_t d = config.n_embd;
  const int64_t n_vocab = config.n_vocab;
  const int64_t P = config.n_embd_per_layer;
  const int64_t L = config.n_layer;
  std::vector<Binding> table = {
      {"token_embd.weight", {d, n_vocab, 1, 1}, Need::required, &weights.token_embd, ""},
      {"output.weight", {d, n_vocab, 1, 1}, Need::tied, &weights.output, "token_embd.weight"},
      {"output_norm.weight", {d, 1, 1, 1}, Need::required, &weights.output_norm, ""},
  };
  bool has_full_layer = false;
  for (const LayerConfig& layer : config.layers) has_full_layer |= !layer.sliding;
  if (has_full_layer) {
    // One copy shared by all full layers; each pair of the rotated dims has a divisor.
    int64_t n_rot_full = 0;
    for (const LayerConfig& layer : config.layers) {
      if (!layer.sliding) n_rot_full = layer.n_rot;
    }
    table.push_back({"rope_freqs.weight", {n_rot_full / 2, 1, 1, 1}, Need::required, &weights.rope_freqs, ""});
  }
  if (config.has_per_layer_embeddings()) {
    table.push_back({"per_layer_token_embd.weight", {L * P, n_vocab, 1, 1}, Need::required, &weights.per_layer_token_embd, ""});
    table.push_back({"per_layer_model_proj.weight", {d, L * P, 1, 1}, Need::required, &weights.per_layer_model_proj, ""});
    table.push_back({"per_layer_proj_norm.weight", {P, 1, 1, 1}, Need::required, &weights.per_layer_proj_norm, ""});
  }

  weights.layers.resize(L);
  for (int64_t il = 0; il < L; ++il) {
    const LayerConfig& layer = config.layers[il];
    LayerWeights& w = weights.layers[il];
    const std::string prefix = "blk." + std::to_string(il) + ".";
    const int64_t q_dim = config.n_head * layer.head_dim;
    const int64_t kv_dim = layer.n_head_kv * layer.head_dim;
    const auto add = [&](const char* suffix, std::array<int64_t, 4> ne, Need need, BindingTarget target) {
      table.push_back({prefix + suffix, ne, need, target, ""});
    };
    const Need own_kv = layer.has_kv ? Need::required : Need::unused;
    add("attn_norm.weight", {d, 1, 1, 1}, Need::required, &w.attn_norm);
    add("attn_q.weight", {d, q_dim, 1, 1}, Need::required, &w.attn_q);
    add("attn_q_norm.weight", {layer.head_dim, 1, 1, 1}, Need::required, &w.attn_q_norm);
    add("attn_k.weight", {d, kv_dim, 1, 1}, own_kv, layer.has_kv ? BindingTarget{&w.attn_k} : BindingTarget{});
    add("attn_k_norm.weight", {layer.head_dim, 1, 1, 1}, own_kv,
        layer.has_kv ? BindingTarget{&w.attn_k_norm} : BindingTarget{});
    add("attn_v.weight", {d, kv_dim, 1, 1}, layer.has_kv ? Need::optional : Need::unused,
        layer.has_kv ? BindingTarget{&w.attn_v} : BindingTarget{});
    add("attn_output.weight", {q_dim, d, 1, 1}, Need::required, &w.attn_output);
    add("post_attention_norm.weight", {d, 1, 1, 1}, Need::required, &w.post_attention_norm);
    add("ffn_norm.weight", {d, 1, 1, 1}, Need::required, &w.ffn_norm);
    add("ffn_gate.weight", {d, layer.n_ff, 1, 1}, Need::required, &w.ffn_gate);
    add("ffn_up.weight", {d, layer.n_ff, 1, 1}, Need::required, &w.ffn_up);
    add("ffn_down.weight", {layer.n_ff, d, 1, 1}, Need::required, &w.ffn_down);
    add("post_ffw_norm.weight", {d, 1, 1, 1}, Need::required, &w.post_ffw_norm);
    add("layer_output_scale.weight", {1, 1, 1, 1}, Need::optional, &w.output_scale);
    if (config.has_per_layer_embeddings()) {
      add("inp_gate.weight", {d, P, 1, 1}, Need::required, &w.ple_gate);
      add("proj.weight", {P, d, 1, 1}, Need::required, &w.ple_proj);
      add("post_norm.weight", {d, 1, 1, 1}, Need::required, &w.ple_post_norm);
    }
    if (layer.moe) {
      const int64_t E = config.n_expert;
      const int64_t Fe = config.n_ff_expert;
      add("ffn_gate_inp.weight", {d, E, 1, 1}, Need::required, &w.router);
      add("ffn_gate_inp.scale", {d, 1, 1, 1}, Need::required, &w.router_scale);
      add("ffn_down_exps.scale", {E, 1, 1, 1}, Need::optional, &w.expert_down_scale);
      add("pre_ffw_norm_2.weight", {d, 1, 1, 1}, Need::required, &w.pre_ffw_norm_2);
      add("post_ffw_norm_1.weight", {d, 1, 1, 1}, Need::required, &w.post_ffw_norm_1);
      add("post_ffw_norm_2.weight", {d, 1, 1, 1}, Need::required, &w.post_ffw_norm_2);
      // Both converters write the fused form; the split form is accepted when it is absent (checked in
      // load_weights).
      add("ffn_gate_up_exps.weight", {d, 2 * Fe, E, 1}, Need::optional, &w.experts_gate_up);
      add("ffn_gate_exps.weight", {d, Fe, E, 1}, Need::optional, &w.experts_gate);
      add("ffn_up_exps.weight", {d, Fe, E, 1}, Need::optional, &w.experts_up);
      add("ffn_down_exps.weight", {Fe, d, E, 1}, Need::required, &w.experts_down);
    }
  }
  return table;
}

Result<Weights> load_weights(const gguf::GgufFile& file, const Config& config) {
  Weights weights;
  for (const Binding& binding : bindings(config, weights)) {
    if (binding.need == Need::unused) continue;
    const gguf::TensorInfo* tensor = file.find_tensor(binding.name);
    if (!tensor && binding.need == Need::tied) tensor = file.find_tensor(binding.tied_to);
    if (!tensor) {
      if (binding.need == Need::optional) continue;
      return make_error("missing required tensor '", binding.name, "'");
    }
    Status shape = check_shape(*tensor, binding.ne);
    if (!shape) return Error{shape.error()};
    Status bound = bind(*tensor, binding.target);
    if (!bound) return Error{bound.error()};
  }
  for (int64_t il = 0; il < config.n_layer; ++il) {
    const LayerWeights& layer = weights.layers[il];
    if (config.layers[il].moe && !layer.experts_gate_up.data && !(layer.experts_gate.data && layer.experts_up.data)) {
      return make_error("missing required tensor 'blk.", il, ".ffn_gate_up_exps.weight' (or the split ffn_gate_exps + ffn_up_exps)");
    }
  }
  return weights;
}

}  // namespace hearth::models::gemma4
