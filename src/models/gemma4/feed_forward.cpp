#include <cmath>

#include "models/gemma4/layers.h"

namespace hearth::models::gemma4 {
namespace {

// llama.cpp's floor on the renormalisation denominator (§4.8 step 2).
constexpr float kMinRoutingSum = 6.1035e-5f;

struct Routing {
  std::vector<int32_t> experts;  // [n, k]
  std::vector<float> weights;    // [n, k], renormalised over the chosen experts
};

// softmax over all experts, top-k, renormalise.
Routing route(const MicroBatch& mb, int64_t n_expert, int64_t k, const Rows& router_logits) {
  Rows probs(router_logits.size());
  cpu::softmax(mb.ctx, router_logits.data(), {}, probs.data(), mb.n(), n_expert);
  Routing routing{std::vector<int32_t>(mb.n() * k), std::vector<float>(mb.n() * k)};
  std::vector<int64_t> top(k);
  for (int64_t t = 0; t < mb.n(); ++t) {
    const float* p = probs.data() + t * n_expert;
    cpu::top_k(p, n_expert, k, top.data());
    float sum = 0.0f;
    for (int64_t j = 0; j < k; ++j) sum += p[top[j]];
    for (int64_t j = 0; j < k; ++j) {
      routing.experts[t * k + j] = static_cast<int32_t>(top[j]);
      routing.weights[t * k + j] = p[top[j]] / std::max(sum, kMinRoutingSum);
    }
  }
  return routing;
}

}  // namespace

Rows dense_mlp(const MicroBatch& mb, const LayerWeights& w, const Rows& x) {
  return mb.linear(mb.geglu(mb.linear(x, w.ffn_gate), mb.linear(x, w.ffn_up), w.ffn_gate.n_out), w.ffn_down);
}

Rows moe(const MicroBatch& mb, const Config& config, const LayerWeights& w, const Rows& h1) {
  const int64_t n = mb.n();
  const int64_t d = config.n_embd;
  const int64_t k = config.n_expert_used;
  const int64_t n_ff = config.n_ff_expert;

  // The router reads h1 itself, through a weightless norm, 1/√d and a learned per-channel scale.
  Rows router_input = mb.scale(mb.rms_norm(h1, {}, d), 1.0f / std::sqrt(static_cast<float>(d)));
  cpu::mul(mb.ctx, router_input.data(), w.router_scale.data(), router_input.data(), n, d, true);
  const Routing routing = route(mb, config.n_expert, k, mb.linear(router_input, w.router));

  const Rows x = mb.rms_norm(h1, w.pre_ffw_norm_2, d);
  Rows activations(n * k * n_ff);  // [n, k, n_ff]
  if (w.experts_gate_up.data) {
    Rows gate_up(n * k * 2 * n_ff);  // [n, k, gate | up]
    cpu::linear_experts(mb.ctx, x.data(), n, w.experts_gate_up, config.n_expert, routing.experts.data(), k,
                        gate_up.data(), mb.numerics);
    cpu::glu(mb.ctx, cpu::GluOp::geglu, gate_up.data(), gate_up.data() + n_ff, 2 * n_ff, activations.data(), n * k, n_ff);
  } else {
    Rows gate(n * k * n_ff), up(n * k * n_ff);
    cpu::linear_experts(mb.ctx, x.data(), n, w.experts_gate, config.n_expert, routing.experts.data(), k, gate.data(), mb.numerics);
    cpu::linear_experts(mb.ctx, x.data(), n, w.experts_up, config.n_expert, routing.experts.data(), k, up.data(), mb.numerics);
    activations = mb.geglu(gate, up, n_ff);
  }
  // Each (token, choice) row has its own input, so the down projection runs n·k rows of one expert each.
  Rows expert_out(n * k * d);
  cpu::linear_experts(mb.ctx, activations.data(), n * k, w.experts_down, config.n_expert, routing.experts.data(), 1,
                      expert_out.data(), mb.numerics);

  Rows out(n * d, 0.0f);
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t j = 0; j < k; ++j) {
      const int32_t expert = routing.experts[t * k + j];
      const float expert_scale = w.expert_down_scale.empty() ? 1.0f : w.expert_down_scale[expert];
      const float weight = routing.weights[t * k + j] * expert_scale;
      const float* y = expert_out.data() + (t * k + j) * d;
      for (int64_t i = 0; i < d; ++i) out[t * d + i] += weight * y[i];
    }
  }
  return out;
}

}  // namespace hearth::models::gemma4
