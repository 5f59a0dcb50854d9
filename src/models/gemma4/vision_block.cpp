#include "models/gemma4/vision_block.h"

#include <cfloat>
#include <cmath>
#include <numeric>

#include "cpu/attention.h"
#include "tensor/fp16.h"

namespace hearth::models::gemma4 {
namespace {

using Rows = std::vector<float>;

Rows rms_norm(const VisionPass& pass, const Rows& x, const std::vector<float>& weight, int64_t width) {
  Rows y(x.size());
  cpu::rms_norm(pass.ctx, x.data(), weight.empty() ? nullptr : weight.data(), pass.config.eps, y.data(),
                static_cast<int64_t>(x.size()) / width, width);
  return y;
}

void add_in_place(const VisionPass& pass, Rows& h, const Rows& x) {
  cpu::add(pass.ctx, h.data(), x.data(), h.data(), 1, static_cast<int64_t>(h.size()), false);
}

// llama.cpp's quick GELU: the input rounded to F16 indexes a table of F16 results (ggml's
// GGML_GELU_QUICK_FP16); computing the entry directly gives the same values.
float gelu_quick_f16(float x) {
  const float h = fp16_to_f32(f32_to_fp16(x));
  return fp16_to_f32(f32_to_fp16(h * (1.0f / (1.0f + std::exp(-1.702f * h)))));
}

Rows gated_activation(const VisionPass& pass, const Rows& gate, const Rows& up) {
  Rows y(gate.size());
  if (pass.config.activation == VisionActivation::gelu_tanh) {
    const int64_t n_ff = pass.config.n_ff;
    cpu::glu(pass.ctx, cpu::GluOp::geglu, gate.data(), up.data(), n_ff, y.data(), static_cast<int64_t>(gate.size()) / n_ff, n_ff);
    return y;
  }
  for (size_t i = 0; i < gate.size(); ++i) y[i] = gelu_quick_f16(gate[i]) * up[i];
  return y;
}

// Every patch attends to every patch (§5.3: no mask for an unpadded image), scale 1.0.
Rows attention(const VisionPass& pass, const Rows& q, const Rows& k, const Rows& v) {
  const int64_t n = pass.n_patches();
  const int64_t n_head = pass.config.n_head, head_dim = pass.config.head_dim;
  std::vector<int32_t> positions(n);
  std::iota(positions.begin(), positions.end(), 0);
  const std::vector<int32_t> seq_ids(n, 0);
  const std::vector<uint64_t> seq_sets(n, 1);
  const cpu::BidirectionalRange everything{0, 0, static_cast<int32_t>(n)};
  const cpu::AttentionQueries queries{q.data(), n, n_head, head_dim, positions.data(), seq_ids.data()};
  const cpu::KvCacheView kv{cpu::KvFormat::f32, k.data(), v.data(), n, n_head, positions.data(), seq_sets.data()};
  cpu::AttentionParams params;
  params.mask.bidirectional = &everything;
  params.mask.n_bidirectional = 1;
  Rows out(q.size());
  cpu::attention(pass.ctx, queries, kv, params, out.data());
  return out;
}

}  // namespace

Rows clippable_linear(const VisionPass& pass, const Rows& x, const ClippableLinear& linear) {
  const bool clamps_input = linear.input_min > -FLT_MAX || linear.input_max < FLT_MAX;
  const bool clamps_output = linear.output_min > -FLT_MAX || linear.output_max < FLT_MAX;
  Rows clamped;
  if (clamps_input) {
    clamped.resize(x.size());
    cpu::clamp(pass.ctx, x.data(), linear.input_min, linear.input_max, clamped.data(), static_cast<int64_t>(x.size()));
  }
  const Rows& input = clamps_input ? clamped : x;
  const int64_t rows = static_cast<int64_t>(input.size()) / linear.weight.n_in;
  Rows y(rows * linear.weight.n_out);
  cpu::linear(pass.ctx, input.data(), rows, linear.weight, y.data(), pass.numerics);
  if (clamps_output) {
    cpu::clamp(pass.ctx, y.data(), linear.output_min, linear.output_max, y.data(), static_cast<int64_t>(y.size()));
  }
  return y;
}

void vision_block(const VisionPass& pass, const VisionLayerWeights& w, Rows& h) {
  const VisionConfig& c = pass.config;
  const int64_t n = pass.n_patches();
  const cpu::RopeParams rope{cpu::RopeMode::neox, c.head_dim / 2, c.rope_theta, 1.0f, nullptr};
  const auto rope_2d = [&](const Rows& x) {
    Rows y(x.size());
    cpu::rope_2d(pass.ctx, rope, x.data(), pass.columns.data(), pass.rows.data(), y.data(), n, c.n_head, c.head_dim);
    return y;
  };

  const Rows a = rms_norm(pass, h, w.ln1, c.n_embd);
  const Rows q = rope_2d(rms_norm(pass, clippable_linear(pass, a, w.attn_q), w.attn_q_norm, c.head_dim));
  const Rows k = rope_2d(rms_norm(pass, clippable_linear(pass, a, w.attn_k), w.attn_k_norm, c.head_dim));
  const Rows v = rms_norm(pass, clippable_linear(pass, a, w.attn_v), {}, c.head_dim);
  const Rows o = clippable_linear(pass, attention(pass, q, k, v), w.attn_out);
  add_in_place(pass, h, rms_norm(pass, o, w.attn_post_norm, c.n_embd));

  const Rows m = rms_norm(pass, h, w.ln2, c.n_embd);
  const Rows act = gated_activation(pass, clippable_linear(pass, m, w.ffn_gate), clippable_linear(pass, m, w.ffn_up));
  add_in_place(pass, h, rms_norm(pass, clippable_linear(pass, act, w.ffn_down), w.ffn_post_norm, c.n_embd));
  if (w.out_scale != 1.0f) cpu::scale(pass.ctx, h.data(), w.out_scale, h.data(), static_cast<int64_t>(h.size()));
}

}  // namespace hearth::models::gemma4
