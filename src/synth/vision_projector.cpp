#include "synth/vision_projector.h"

#include <cmath>

#include "gguf/gguf_writer.h"
#include "synth/random_fill.h"

namespace hearth::synth {
namespace {

using gguf::Value;

constexpr float kNormJitter = 0.02f;
constexpr float kPositionStddev = 0.02f;

InitRule matrix_rule(int64_t fan_in) { return {InitRule::Kind::Gaussian, 0.0f, 1.0f / std::sqrt(static_cast<float>(fan_in))}; }
InitRule norm_rule(float mean) { return {InitRule::Kind::Gaussian, mean, kNormJitter * mean}; }

Value f32_triplet(float value) { return Value::array(gguf::ValueType::FLOAT32, {Value::f32(value), Value::f32(value), Value::f32(value)}); }

}  // namespace

std::vector<PlannedTensor> plan_vision_projector_tensors(const VisionShape& s, TensorType weight_type) {
  std::vector<PlannedTensor> tensors;
  const int64_t d = s.n_embd, p = s.patch_size, ff = s.n_ff, head_dim = s.n_embd / s.n_head;
  const auto matrix = [&](std::string name, std::vector<int64_t> ne) {
    const int64_t fan_in = name.starts_with("v.patch_embd") ? 3 * p * p : ne[0];
    tensors.push_back({std::move(name), std::move(ne), weight_type, matrix_rule(fan_in)});
  };
  const auto norm = [&](std::string name, int64_t n, float mean) {
    tensors.push_back({std::move(name), {n}, TensorType::F32, norm_rule(mean)});
  };
  // Q and K are RMS-normalised and attention is unscaled (§5.3): as for the text model, head_dim^-1/4 keeps
  // the attention logits near unit variance.
  const float qk_norm_mean = std::pow(static_cast<float>(head_dim), -0.25f);

  matrix("v.patch_embd.weight", {p, p, 3, d});
  tensors.push_back({"v.position_embd.weight", {d, s.position_table_size, 2}, weight_type,
                     {InitRule::Kind::Gaussian, 0.0f, kPositionStddev}});
  for (uint32_t il = 0; il < s.n_layer; ++il) {
    const std::string b = "v.blk." + std::to_string(il) + ".";
    norm(b + "ln1.weight", d, 1.0f);
    matrix(b + "attn_q.weight", {d, d});
    matrix(b + "attn_k.weight", {d, d});
    matrix(b + "attn_v.weight", {d, d});
    norm(b + "attn_q_norm.weight", head_dim, qk_norm_mean);
    norm(b + "attn_k_norm.weight", head_dim, qk_norm_mean);
    matrix(b + "attn_out.weight", {d, d});
    norm(b + "attn_post_norm.weight", d, 1.0f);
    norm(b + "ln2.weight", d, 1.0f);
    matrix(b + "ffn_gate.weight", {d, ff});
    matrix(b + "ffn_up.weight", {d, ff});
    matrix(b + "ffn_down.weight", {ff, d});
    norm(b + "ffn_post_norm.weight", d, 1.0f);
  }
  tensors.push_back({"v.std_bias", {d}, TensorType::F32, {InitRule::Kind::Gaussian, 0.0f, kNormJitter}});
  norm("v.std_scale", d, 1.0f);
  matrix("mm.input_projection.weight", {d, s.n_embd_text});
  return tensors;
}

std::vector<gguf::KeyValue> vision_projector_metadata(const VisionShape& s, const std::string& name, TensorType weight_type) {
  constexpr uint32_t kFileTypeAllF32 = 0, kFileTypeMostlyF16 = 1;  // llama_ftype
  return {
      {"general.architecture", Value::string("clip")},
      {"general.type", Value::string("mmproj")},
      {"general.name", Value::string(name)},
      {"general.file_type", Value::u32(weight_type == TensorType::F32 ? kFileTypeAllF32 : kFileTypeMostlyF16)},
      {"clip.has_vision_encoder", Value::boolean(true)},
      {"clip.vision.projector_type", Value::string("gemma4v")},
      {"clip.vision.image_size", Value::u32(224)},  // a dummy the converter writes (§2.3)
      {"clip.vision.patch_size", Value::u32(s.patch_size)},
      {"clip.vision.embedding_length", Value::u32(s.n_embd)},
      {"clip.vision.feed_forward_length", Value::u32(s.n_ff)},
      {"clip.vision.block_count", Value::u32(s.n_layer)},
      {"clip.vision.attention.head_count", Value::u32(s.n_head)},
      {"clip.vision.attention.layer_norm_epsilon", Value::f32(1e-6f)},
      {"clip.vision.projection_dim", Value::u32(s.n_embd_text)},
      {"clip.vision.image_mean", f32_triplet(0.0f)},
      {"clip.vision.image_std", f32_triplet(1.0f)},
  };
}

Status write_synth_vision_projector(const VisionShape& shape, TensorType weight_type, uint64_t seed, unsigned threads,
                                    const std::filesystem::path& path,
                                    const std::function<void(size_t done, size_t total)>& on_tensor) {
  if (weight_type != TensorType::F16 && weight_type != TensorType::F32) {
    return make_error("synthetic weights are F16 or F32, not ", type_info(weight_type).name);
  }
  if (shape.n_head == 0 || shape.n_embd % shape.n_head != 0 || shape.n_embd_text == 0) {
    return make_error("vision shape: the width must be a multiple of the head count, and the text width positive");
  }
  gguf::GgufWriter writer;
  for (gguf::KeyValue& kv : vision_projector_metadata(shape, "synthetic gemma4 vision projector", weight_type)) {
    writer.set(std::move(kv.key), std::move(kv.value));
  }
  for (PlannedTensor& tensor : plan_vision_projector_tensors(shape, weight_type)) {
    std::string name = tensor.name;
    const TensorType type = tensor.type;
    std::vector<int64_t> ne = tensor.ne;
    auto produce = [tensor = std::move(tensor), seed, threads](std::span<uint8_t> out) { return fill_tensor(tensor, seed, out, threads); };
    if (Status added = writer.add_tensor(std::move(name), type, std::move(ne), std::move(produce)); !added) return added;
  }
  return writer.write(path, on_tensor);
}

}  // namespace hearth::synth
