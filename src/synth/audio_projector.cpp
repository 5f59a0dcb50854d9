#include "synth/audio_projector.h"

#include <cmath>
#include <string>

#include "gguf/gguf_writer.h"
#include "synth/random_fill.h"

namespace hearth::synth {
namespace {

// Clamp bounds this wide never clip, as in checkpoints trained without clipping.
constexpr float kNoClip = 1e10f;
constexpr uint32_t kFileTypeMostlyF16 = 1;

class AudioPlanner {
 public:
  AudioPlanner(TensorType weight_type, std::vector<PlannedTensor>& out) : weight_type_(weight_type), out_(out) {}

  void f32(std::string name, std::vector<int64_t> ne, InitRule init) { out_.push_back({std::move(name), std::move(ne), TensorType::F32, init}); }
  void norm(std::string name, int64_t n) { f32(std::move(name), {n}, {InitRule::Kind::Gaussian, 1.0f, 0.02f}); }
  // A matrix {n_in, n_out} whose outputs keep the variance of its inputs.
  void matrix(std::string name, int64_t n_in, int64_t n_out) {
    out_.push_back({std::move(name), {n_in, n_out}, weight_type_, {InitRule::Kind::Gaussian, 0.0f, 1.0f / std::sqrt(static_cast<float>(n_in))}});
  }
  // A ClippableLinear: the matrix and its four clamp scalars.
  void clippable(const std::string& base, int64_t n_in, int64_t n_out) {
    matrix(base + ".weight", n_in, n_out);
    for (const char* bound : {".input_max", ".input_min", ".output_max", ".output_min"}) {
      const bool upper = std::string_view(bound).ends_with("max");
      f32(base + bound, {1}, {InitRule::Kind::Gaussian, upper ? kNoClip : -kNoClip, 0.0f});
    }
  }

 private:
  TensorType weight_type_;
  std::vector<PlannedTensor>& out_;
};

std::vector<gguf::KeyValue> audio_projector_metadata(const AudioTowerShape& s, TensorType weight_type) {
  using gguf::Value;
  return {{"general.architecture", Value::string("clip")},
          {"general.type", Value::string("mmproj")},
          {"general.name", Value::string("synthetic gemma4 audio projector")},
          {"general.file_type", Value::u32(weight_type == TensorType::F16 ? kFileTypeMostlyF16 : 0)},
          {"clip.has_vision_encoder", Value::boolean(false)},
          {"clip.has_audio_encoder", Value::boolean(true)},
          {"clip.audio.projector_type", Value::string("gemma4a")},
          {"clip.audio.projection_dim", Value::u32(s.n_embd_text)},
          {"clip.audio.embedding_length", Value::u32(s.n_embd)},
          {"clip.audio.feed_forward_length", Value::u32(s.n_ff)},
          {"clip.audio.block_count", Value::u32(s.n_layer)},
          {"clip.audio.attention.head_count", Value::u32(s.n_head)},
          {"clip.audio.attention.layer_norm_epsilon", Value::f32(1e-6f)},
          {"clip.audio.num_mel_bins", Value::u32(s.n_mel)}};
}

}  // namespace

std::vector<PlannedTensor> plan_audio_projector_tensors(const AudioTowerShape& s, TensorType weight_type) {
  std::vector<PlannedTensor> tensors;
  AudioPlanner plan(weight_type, tensors);
  const int64_t d = s.n_embd;
  const int64_t c0 = s.sscp_channels[0], c1 = s.sscp_channels[1];
  const auto halved = [](int64_t n) { return (n - 1) / 2 + 1; };
  const int64_t sscp_freq = halved(halved(s.n_mel));
  plan.f32("a.conv1d.0.weight", {3, 3, 1, c0}, {InitRule::Kind::Gaussian, 0.0f, 1.0f / 3.0f});
  plan.norm("a.conv1d.0.norm.weight", c0);
  plan.f32("a.conv1d.1.weight", {3, 3, c0, c1}, {InitRule::Kind::Gaussian, 0.0f, 1.0f / std::sqrt(9.0f * static_cast<float>(c0))});
  plan.norm("a.conv1d.1.norm.weight", c1);
  plan.matrix("a.input_projection.weight", sscp_freq * c1, d);
  for (uint32_t il = 0; il < s.n_layer; ++il) {
    const std::string p = "a.blk." + std::to_string(il) + ".";
    for (const char* half : {"", "_1"}) {
      plan.norm(p + "ffn_norm" + half + ".weight", d);
      plan.clippable(p + "ffn_up" + half, d, s.n_ff);
      plan.clippable(p + "ffn_down" + half, s.n_ff, d);
      plan.norm(p + "ffn_post_norm" + half + ".weight", d);
    }
    plan.norm(p + "attn_pre_norm.weight", d);
    for (const char* projection : {"attn_q", "attn_k", "attn_v", "attn_out"}) plan.clippable(p + projection, d, d);
    plan.norm(p + "per_dim_scale.weight", d / s.n_head);
    plan.matrix(p + "attn_k_rel.weight", d, d);
    plan.norm(p + "attn_post_norm.weight", d);
    plan.norm(p + "conv_norm.weight", d);
    plan.clippable(p + "conv_pw1", d, 2 * d);
    plan.f32(p + "conv_dw.weight", {s.conv_kernel, d}, {InitRule::Kind::Gaussian, 0.0f, 1.0f / std::sqrt(static_cast<float>(s.conv_kernel))});
    plan.norm(p + "norm_conv.weight", d);
    plan.clippable(p + "conv_pw2", d, d);
    plan.norm(p + "ln2.weight", d);
  }
  plan.matrix("a.pre_encode.out.weight", d, s.n_output_proj);
  plan.f32("a.pre_encode.out.bias", {s.n_output_proj}, {InitRule::Kind::Gaussian, 0.0f, 0.02f});
  plan.matrix("mm.a.input_projection.weight", s.n_output_proj, s.n_embd_text);
  return tensors;
}

Status write_synth_audio_projector(const AudioTowerShape& shape, TensorType weight_type, uint64_t seed, unsigned threads,
                                   const std::filesystem::path& path, const std::function<void(size_t done, size_t total)>& on_tensor) {
  if (weight_type != TensorType::F16 && weight_type != TensorType::F32) return make_error("synthetic weights are F16 or F32");
  gguf::GgufWriter writer;
  for (gguf::KeyValue& kv : audio_projector_metadata(shape, weight_type)) writer.set(std::move(kv.key), std::move(kv.value));
  for (PlannedTensor& tensor : plan_audio_projector_tensors(shape, weight_type)) {
    std::string name = tensor.name;
    const TensorType type = tensor.type;
    std::vector<int64_t> ne = tensor.ne;
    auto produce = [tensor = std::move(tensor), seed, threads](std::span<uint8_t> out) { return fill_tensor(tensor, seed, out, threads); };
    if (Status added = writer.add_tensor(std::move(name), type, std::move(ne), std::move(produce)); !added) return added;
  }
  return writer.write(path, on_tensor);
}

}  // namespace hearth::synth
