// One Gemma 4 conformer block (spec/gemma4.md §6.4): half-step FFN, chunked local self-attention with
// relative positions, LightConv1d, half-step FFN, output norm. The ±1e10 gradient clip of HF is a no-op in
// f32 and is left out, as llama.cpp does.
#include <algorithm>
#include <cmath>

#include "cpu/attention.h"
#include "cpu/conv.h"
#include "models/gemma4/audio_layers.h"

namespace hearth::models::gemma4 {
namespace {

Rows silu(const MicroBatch& mb, Rows x) {
  cpu::unary(mb.ctx, cpu::UnaryOp::silu, x.data(), x.data(), static_cast<int64_t>(x.size()));
  return x;
}

// x + ½·post_norm(down(silu(up(pre_norm(x))))).
Rows half_step_ffn(const MicroBatch& mb, const AudioConfig& config, const AudioFeedForwardWeights& w, const Rows& x) {
  const int64_t d = config.n_embd;
  const Rows h = silu(mb, clippable_linear(mb, w.up, mb.rms_norm(x, w.pre_norm, d)));
  const Rows out = mb.rms_norm(clippable_linear(mb, w.down, h), w.post_norm, d);
  return mb.add(x, mb.scale(out, config.ffn_residual_weight));
}

// Multiplies every head_dim slice of x (T·heads of them) by `factors`.
void scale_per_dim(const MicroBatch& mb, Rows& x, const std::vector<float>& factors) {
  const int64_t head_dim = static_cast<int64_t>(factors.size());
  cpu::mul(mb.ctx, x.data(), factors.data(), x.data(), static_cast<int64_t>(x.size()) / head_dim, head_dim, true);
}

// §6.5 on the normed input y [T, d] → attention output after attn_out [T, d].
Rows local_attention(const MicroBatch& mb, const AudioConfig& config, const AudioBlockWeights& w,
                     const Rows& relative_positions, const Rows& y) {
  const int64_t T = mb.n();
  const int64_t H = config.n_head;
  const int64_t Dh = config.head_dim;
  Rows q = clippable_linear(mb, w.attn_q, y);
  Rows k = clippable_linear(mb, w.attn_k, y);
  const Rows v = clippable_linear(mb, w.attn_v, y);

  // q · Dh^−½ / ln 2 · softplus(per_dim_scale) (stored softplus'd); k · softplus(1) / ln 2. Float constants
  // computed as the oracle computes them.
  const float q_scale = (1.0f / std::sqrt(static_cast<float>(Dh))) / std::log(2.0f);
  const float k_scale = std::log(1.0f + std::exp(1.0f)) / std::log(2.0f);
  q = mb.scale(q, q_scale);
  scale_per_dim(mb, q, w.per_dim_scale);
  k = mb.scale(k, k_scale);
  if (!w.per_dim_k_scale.empty()) scale_per_dim(mb, k, w.per_dim_k_scale);

  // R(δ) = attn_k_rel · pe(δ) [n_rel, H, Dh]; the logit bias of query t, head h at distance δ is q_t,h · R(δ)_h.
  const int64_t n_rel = config.max_past + 1;
  const Rows R = clippable_linear(mb, w.attn_k_rel, relative_positions);
  Rows bias(T * H * n_rel);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t h = 0; h < H; ++h) {
      const float* q_th = q.data() + (t * H + h) * Dh;
      for (int64_t delta = 0; delta < n_rel; ++delta) {
        const float* r = R.data() + (delta * H + h) * Dh;
        float dot = 0.0f;
        for (int64_t i = 0; i < Dh; ++i) dot += q_th[i] * r[i];
        bias[(t * H + h) * n_rel + delta] = dot;
      }
    }
  }

  // Keys 0 ≤ t − u < max_past (the query's own included): exactly the keys the reference's blocks of
  // chunk_size queries over a window of chunk_size + max_past keys leave unmasked.
  const std::vector<int32_t> seq_ids(T, 0);
  const std::vector<uint64_t> seq_sets(T, 1);
  const cpu::AttentionQueries queries{q.data(), T, H, Dh, mb.positions.data(), seq_ids.data()};
  const cpu::KvCacheView kv{cpu::KvFormat::f32, k.data(), v.data(), T, H, mb.positions.data(), seq_sets.data()};
  cpu::AttentionParams params;
  params.softcap = config.attention_softcap;
  params.mask.sliding_window = static_cast<int32_t>(config.max_past);
  params.relative_bias = bias.data();
  params.n_relative = n_rel;
  Rows out(T * H * Dh);
  cpu::attention(mb.ctx, queries, kv, params, out.data());
  return clippable_linear(mb, w.attn_out, out);
}

// §6.6: x + pw2(silu(post_norm(depthwise(GLU(pw1(pre_norm(x))))))).
Rows light_conv(const MicroBatch& mb, const AudioConfig& config, const AudioBlockWeights& w, const Rows& x) {
  const int64_t T = mb.n();
  const int64_t d = config.n_embd;
  const Rows projected = clippable_linear(mb, w.conv_pw1, mb.rms_norm(x, w.conv_pre_norm, d));  // [T, 2d]
  // GLU with the second half as the gate, copied out so the sigmoid runs on contiguous rows.
  Rows gate(T * d), gated(T * d);
  for (int64_t t = 0; t < T; ++t) {
    std::copy_n(projected.data() + t * 2 * d + d, d, gate.data() + t * d);
  }
  cpu::unary(mb.ctx, cpu::UnaryOp::sigmoid, gate.data(), gate.data(), T * d);
  for (int64_t t = 0; t < T; ++t) {
    cpu::mul(mb.ctx, projected.data() + t * 2 * d, gate.data() + t * d, gated.data() + t * d, 1, d, false);
  }
  Rows z(T * d);
  cpu::depthwise_conv1d(mb.ctx, gated.data(), 1, T, w.conv_dw.data(), config.conv_kernel, d, nullptr, z.data());
  z = silu(mb, mb.rms_norm(z, w.conv_post_norm, d));
  return mb.add(x, clippable_linear(mb, w.conv_pw2, std::move(z)));
}

}  // namespace

Rows relative_position_table(const AudioConfig& config) {
  const int64_t d = config.n_embd;
  const int64_t n_timescales = d / 2;
  const float increment = std::log(10000.0f) / static_cast<float>(std::max<int64_t>(n_timescales - 1, 1));
  Rows pe((config.max_past + 1) * d, 0.0f);
  for (int64_t delta = 0; delta <= config.max_past; ++delta) {
    for (int64_t i = 0; i < n_timescales; ++i) {
      const float angle = static_cast<float>(delta) * std::exp(-static_cast<float>(i) * increment);
      pe[delta * d + i] = std::sin(angle);
      pe[delta * d + n_timescales + i] = std::cos(angle);
    }
  }
  return pe;
}

Rows conformer_block(const MicroBatch& mb, const AudioConfig& config, const AudioBlockWeights& w,
                     const Rows& relative_positions, const Rows& x_in) {
  const int64_t d = config.n_embd;
  Rows x = half_step_ffn(mb, config, w.ffn[0], x_in);
  const Rows attended = local_attention(mb, config, w, relative_positions, mb.rms_norm(x, w.attn_pre_norm, d));
  x = mb.add(x, mb.rms_norm(attended, w.attn_post_norm, d));
  x = light_conv(mb, config, w, x);
  x = half_step_ffn(mb, config, w.ffn[1], x);
  return mb.rms_norm(x, w.out_norm, d);
}

}  // namespace hearth::models::gemma4
