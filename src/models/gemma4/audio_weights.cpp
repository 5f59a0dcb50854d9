#include "models/gemma4/audio_weights.h"

#include <array>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>

#include "cpu/weight_formats.h"
#include "tensor/quants.h"

namespace hearth::models::gemma4 {
namespace {

using Shape = std::array<int64_t, 4>;

std::string shape_text(const Shape& ne) {
  int n_dims = 4;
  while (n_dims > 1 && ne[n_dims - 1] == 1) --n_dims;
  std::ostringstream out;
  out << "{";
  for (int i = 0; i < n_dims; ++i) out << (i ? ", " : "") << ne[i];
  out << "}";
  return out.str();
}

// Binds tensors one after another and remembers the first failure, so the table below reads as a list.
class Binder {
 public:
  explicit Binder(const gguf::GgufFile& file) : file_(file) {}

  const std::optional<Error>& error() const { return error_; }

  // A linear layer n_in → n_out (GGUF ne {n_in, n_out}).
  void matrix(const std::string& name, int64_t n_in, int64_t n_out, cpu::WeightMatrix& out) {
    if (const gguf::TensorInfo* tensor = find(name, {n_in, n_out, 1, 1}, true)) bind_matrix(*tensor, n_in, n_out, out);
  }
  // A conv2d kernel, ne {kw, kh, channels_in, channels_out}, as the [out, in·kh·kw] matrix conv2d takes.
  void conv_kernel(const std::string& name, const Shape& ne, cpu::WeightMatrix& out) {
    if (const gguf::TensorInfo* tensor = find(name, ne, true)) bind_matrix(*tensor, ne[0] * ne[1] * ne[2], ne[3], out);
  }
  void values(const std::string& name, const Shape& ne, std::vector<float>& out, bool required = true) {
    const gguf::TensorInfo* tensor = find(name, ne, required);
    if (!tensor) return;
    out.resize(tensor->elements());
    if (Status decoded = dequantize_row(tensor->type, tensor->data, out.data(), tensor->elements()); !decoded) {
      fail(make_error("tensor '", name, "': ", decoded.error()));
    }
  }
  // `<base>.weight` and its optional clamp scalars `<base>.input_min` … `<base>.output_max`.
  void clippable(const std::string& base, int64_t n_in, int64_t n_out, ClippableLinear& out) {
    matrix(base + ".weight", n_in, n_out, out.weight);
    bound(base + ".input_min", out.input_min);
    bound(base + ".input_max", out.input_max);
    bound(base + ".output_min", out.output_min);
    bound(base + ".output_max", out.output_max);
  }

 private:
  void fail(Error error) {
    if (!error_) error_ = std::move(error);
  }

  const gguf::TensorInfo* find(const std::string& name, const Shape& ne, bool required) {
    if (error_) return nullptr;
    const gguf::TensorInfo* tensor = file_.find_tensor(name);
    if (!tensor) {
      if (required) fail(make_error("missing required tensor '", name, "'"));
      return nullptr;
    }
    if (tensor->ne != ne) {
      fail(make_error("tensor '", name, "': shape ", shape_text(tensor->ne), ", expected ", shape_text(ne)));
      return nullptr;
    }
    return tensor;
  }

  void bind_matrix(const gguf::TensorInfo& tensor, int64_t n_in, int64_t n_out, cpu::WeightMatrix& out) {
    const std::optional<cpu::WeightFormat> format = cpu::weight_format_of(tensor.type);
    if (!format) {
      return fail(make_error("tensor '", tensor.name, "': type ", type_info(tensor.type).name, " cannot be used as a linear weight"));
    }
    if (n_in % cpu::weight_block_elements(*format) != 0) {
      return fail(make_error("tensor '", tensor.name, "': row length ", n_in, " is not a whole number of ",
                             type_info(tensor.type).name, " blocks"));
    }
    out = {*format, tensor.data, n_out, n_in};
  }

  // llama.cpp refuses bounds in any type but F32, and so does this loader.
  void bound(const std::string& name, float& out) {
    const gguf::TensorInfo* tensor = find(name, {1, 1, 1, 1}, false);
    if (!tensor) return;
    if (tensor->type != TensorType::F32) return fail(make_error("clamp bound '", name, "' must be F32"));
    std::memcpy(&out, tensor->data, sizeof(float));
  }

  const gguf::GgufFile& file_;
  std::optional<Error> error_;
};

}  // namespace

Result<AudioWeights> load_audio_weights(const gguf::GgufFile& file, const AudioConfig& config) {
  const bool ollama = config.naming == AudioTensorNaming::ollama;
  const int64_t d = config.n_embd;
  const int64_t c0 = config.sscp_channels[0], c1 = config.sscp_channels[1];
  AudioWeights w;
  Binder bind(file);

  bind.conv_kernel("a.conv1d.0.weight", {3, 3, 1, c0}, w.sscp_conv[0]);
  bind.values("a.conv1d.0.norm.weight", {c0, 1, 1, 1}, w.sscp_norm[0]);
  bind.conv_kernel("a.conv1d.1.weight", {3, 3, c0, c1}, w.sscp_conv[1]);
  bind.values("a.conv1d.1.norm.weight", {c1, 1, 1, 1}, w.sscp_norm[1]);
  bind.clippable(ollama ? "a.pre_encode.out" : "a.input_projection", config.sscp_freq * c1, d, w.input_projection);

  w.blocks.resize(config.n_layer);
  for (int64_t il = 0; il < config.n_layer; ++il) {
    AudioBlockWeights& b = w.blocks[il];
    const std::string p = "a.blk." + std::to_string(il) + ".";
    const Shape row = {d, 1, 1, 1};
    for (int i = 0; i < 2; ++i) {
      const std::string suffix = i == 0 ? "" : "_1";
      bind.values(p + "ffn_norm" + suffix + ".weight", row, b.ffn[i].pre_norm);
      bind.clippable(p + "ffn_up" + suffix, d, config.n_ff, b.ffn[i].up);
      bind.clippable(p + "ffn_down" + suffix, config.n_ff, d, b.ffn[i].down);
      bind.values(p + "ffn_post_norm" + suffix + ".weight", row, b.ffn[i].post_norm);
    }
    bind.values(p + (ollama ? "ln1" : "attn_pre_norm") + ".weight", row, b.attn_pre_norm);
    bind.clippable(p + "attn_q", d, d, b.attn_q);
    bind.clippable(p + "attn_k", d, d, b.attn_k);
    bind.clippable(p + "attn_v", d, d, b.attn_v);
    bind.clippable(p + "attn_out", d, d, b.attn_out);
    bind.clippable(p + (ollama ? "linear_pos" : "attn_k_rel"), d, d, b.attn_k_rel);
    bind.values(p + "per_dim_scale.weight", {config.head_dim, 1, 1, 1}, b.per_dim_scale);
    bind.values(p + "per_dim_k_scale.weight", {config.head_dim, 1, 1, 1}, b.per_dim_k_scale, false);
    bind.values(p + (ollama ? "ln2" : "attn_post_norm") + ".weight", row, b.attn_post_norm);
    bind.values(p + "conv_norm.weight", row, b.conv_pre_norm);
    bind.clippable(p + "conv_pw1", d, 2 * d, b.conv_pw1);
    bind.values(p + "conv_dw.weight", {config.conv_kernel, d, 1, 1}, b.conv_dw);
    bind.values(p + "norm_conv.weight", row, b.conv_post_norm);
    bind.clippable(p + "conv_pw2", d, d, b.conv_pw2);
    bind.values(p + (ollama ? "layer_pre_norm" : "ln2") + ".weight", row, b.out_norm);
  }

  const std::string output_proj = ollama ? "mm.a.fc" : "a.pre_encode.out";
  bind.clippable(output_proj, d, config.n_output_proj, w.output_proj);
  bind.values(output_proj + ".bias", {config.n_output_proj, 1, 1, 1}, w.output_proj_bias);
  bind.values("mm.a.soft_emb_norm.weight", {config.n_output_proj, 1, 1, 1}, w.soft_emb_norm, false);
  bind.clippable("mm.a.input_projection", config.n_output_proj, config.n_embd_text, w.embedding_projection);

  if (bind.error()) return *bind.error();
  return w;
}

}  // namespace hearth::models::gemma4
