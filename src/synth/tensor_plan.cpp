#include "synth/tensor_plan.h"

#include <cmath>

namespace hearth::synth {
namespace {

constexpr float kNormJitter = 0.02f;

InitRule matrix_rule(int64_t fan_in) { return {InitRule::Kind::Gaussian, 0.0f, 1.0f / std::sqrt(static_cast<float>(fan_in))}; }
InitRule norm_rule(float mean = 1.0f) { return {InitRule::Kind::Gaussian, mean, kNormJitter * mean}; }
InitRule constant_rule(float value) { return {InitRule::Kind::Gaussian, value, 0.0f}; }

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class Planner {
 public:
  Planner(TensorType weight_type, std::vector<PlannedTensor>& out) : weight_type_(weight_type), out_(out) {}

  void add(std::string name, std::vector<int64_t> ne, InitRule init) {
    const bool stored_f32 = ne.size() == 1 || !ends_with(name, ".weight") || ends_with(name, "ffn_gate_inp.weight");
    const TensorType type = stored_f32 ? TensorType::F32 : weight_type_;
    out_.push_back({std::move(name), std::move(ne), type, init});
  }
  // A matrix {n_in, n_out[, n_expert]} scaled so that outputs keep the variance of the inputs.
  void matrix(std::string name, std::vector<int64_t> ne) {
    const int64_t fan_in = ne[0];
    add(std::move(name), std::move(ne), matrix_rule(fan_in));
  }
  void norm(std::string name, int64_t n, float mean = 1.0f) { add(std::move(name), {n}, norm_rule(mean)); }

 private:
  TensorType weight_type_;
  std::vector<PlannedTensor>& out_;
};

void plan_layer(const Gemma4Shape& s, uint32_t il, Planner& plan) {
  const std::string p = "blk." + std::to_string(il) + ".";
  const int64_t d = s.n_embd;
  const int64_t head_dim = s.head_dim(il);
  const int64_t q_width = int64_t{s.n_head} * head_dim;
  const int64_t kv_width = int64_t{s.head_count_kv(il)} * head_dim;
  const int64_t ff = s.feed_forward_length(il);
  // Q and K are RMS-normalised and attention is unscaled, so q·k has spread head_dim·w⁴; w = head_dim^-1/4
  // keeps the attention logits near unit variance.
  const float qk_norm_mean = std::pow(static_cast<float>(head_dim), -0.25f);

  plan.norm(p + "attn_norm.weight", d);
  plan.matrix(p + "attn_q.weight", {d, q_width});
  if (s.has_kv_tensors(il)) plan.matrix(p + "attn_k.weight", {d, kv_width});
  if (s.has_v_tensor(il)) plan.matrix(p + "attn_v.weight", {d, kv_width});
  plan.matrix(p + "attn_output.weight", {q_width, d});
  plan.norm(p + "attn_q_norm.weight", head_dim, qk_norm_mean);
  if (s.has_kv_tensors(il)) plan.norm(p + "attn_k_norm.weight", head_dim, qk_norm_mean);
  plan.norm(p + "post_attention_norm.weight", d);
  plan.norm(p + "layer_output_scale.weight", 1);
  plan.norm(p + "ffn_norm.weight", d);
  plan.matrix(p + "ffn_gate.weight", {d, ff});
  plan.matrix(p + "ffn_up.weight", {d, ff});
  plan.matrix(p + "ffn_down.weight", {ff, d});
  plan.norm(p + "post_ffw_norm.weight", d);
  if (s.is_moe()) {
    const int64_t experts = s.n_expert;
    const int64_t expert_ff = s.n_ff_exp;
    plan.matrix(p + "ffn_gate_inp.weight", {d, experts});
    plan.add(p + "ffn_gate_inp.scale", {d}, constant_rule(1.0f));
    plan.norm(p + "pre_ffw_norm_2.weight", d);
    plan.norm(p + "post_ffw_norm_1.weight", d);
    plan.norm(p + "post_ffw_norm_2.weight", d);
    plan.matrix(p + "ffn_gate_up_exps.weight", {d, 2 * expert_ff, experts});
    plan.matrix(p + "ffn_down_exps.weight", {expert_ff, d, experts});
    plan.add(p + "ffn_down_exps.scale", {experts}, constant_rule(1.0f));
  }
  if (s.has_ple()) {
    const int64_t per_layer = s.n_embd_per_layer;
    plan.matrix(p + "inp_gate.weight", {d, per_layer});
    plan.matrix(p + "proj.weight", {per_layer, d});
    plan.norm(p + "post_norm.weight", d);
  }
}

}  // namespace

int64_t PlannedTensor::elements() const {
  int64_t n = 1;
  for (int64_t dim : ne) n *= dim;
  return n;
}

uint64_t PlannedTensor::bytes() const {
  const TypeInfo& info = type_info(type);
  return static_cast<uint64_t>(elements()) / info.block_elements * info.block_bytes;
}

std::vector<PlannedTensor> plan_gemma4_tensors(const Gemma4Shape& s, TensorType weight_type) {
  std::vector<PlannedTensor> tensors;
  Planner plan(weight_type, tensors);
  const int64_t d = s.n_embd;
  const int64_t vocab = s.n_vocab;
  // Embedding rows are scaled by √d (and PLE rows by √P) in the forward pass, so 1/√width gives unit RMS.
  plan.add("token_embd.weight", {d, vocab}, matrix_rule(d));
  if (s.has_ple()) {
    const int64_t per_layer = s.n_embd_per_layer;
    const int64_t all_layers = per_layer * s.n_layer;
    plan.add("per_layer_token_embd.weight", {all_layers, vocab}, matrix_rule(per_layer));
    plan.matrix("per_layer_model_proj.weight", {d, all_layers});
    plan.norm("per_layer_proj_norm.weight", per_layer);
  }
  plan.norm("output_norm.weight", d);
  plan.add("rope_freqs.weight", {int64_t{s.head_dim_full} / 2}, {InitRule::Kind::RopeFreqs, 0.0f, 0.0f, s.rotated_pairs_full()});
  for (uint32_t il = 0; il < s.n_layer; ++il) plan_layer(s, il, plan);
  return tensors;
}

uint64_t parameter_count(std::span<const PlannedTensor> tensors) {
  uint64_t total = 0;
  for (const PlannedTensor& tensor : tensors) total += static_cast<uint64_t>(tensor.elements());
  return total;
}

uint64_t tensor_data_bytes(std::span<const PlannedTensor> tensors, uint32_t alignment) {
  uint64_t total = 0;
  for (const PlannedTensor& tensor : tensors) total += (tensor.bytes() + alignment - 1) / alignment * alignment;
  return total;
}

}  // namespace hearth::synth
