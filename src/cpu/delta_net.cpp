#include "cpu/delta_net.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hearth::cpu {
namespace {

// llama.cpp's and Ollama's chunk size (qwen3next.md §8.6).
constexpr int64_t kChunk = 64;

float dot(const float* a, const float* b, int64_t n) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// y ← y − factor·x
void subtract_scaled(const float* x, float factor, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] -= factor * x[i];
}

// The inputs of one (sequence, value head): token t's vectors and gates.
class HeadInputs {
 public:
  HeadInputs(const DeltaNetShape& shape, const DeltaNetInputs& in, int64_t seq, int64_t v_head)
      : in_(in), first_row_(seq * shape.n_tokens), v_head_(v_head), n_v_heads_(shape.n_v_heads), d_v_(shape.d_v) {
    const int64_t k_head = shape.mapping == KeyHeadMapping::grouped ? v_head / (shape.n_v_heads / shape.n_k_heads)
                                                                    : v_head % shape.n_k_heads;
    key_offset_ = k_head * shape.d_k;
  }
  const float* q(int64_t t) const { return in_.q + (first_row_ + t) * in_.q_stride + key_offset_; }
  const float* k(int64_t t) const { return in_.k + (first_row_ + t) * in_.k_stride + key_offset_; }
  const float* v(int64_t t) const { return in_.v + (first_row_ + t) * in_.v_stride + v_head_ * d_v_; }
  float beta(int64_t t) const { return in_.beta[(first_row_ + t) * n_v_heads_ + v_head_]; }
  float g(int64_t t) const { return in_.g[(first_row_ + t) * n_v_heads_ + v_head_]; }
  int64_t k_stride() const { return in_.k_stride; }

 private:
  const DeltaNetInputs& in_;
  int64_t first_row_;
  int64_t v_head_;
  int64_t n_v_heads_;
  int64_t d_v_;
  int64_t key_offset_ = 0;
};

struct ChunkScratch {
  std::vector<float> gamma;    // [kChunk] cumulative log-decay within the chunk
  std::vector<float> u;        // [kChunk, d_v]
  std::vector<float> w;        // [kChunk, d_k]
  std::vector<float> delta;    // [kChunk, d_v] = the δ_t of the recurrence
  std::vector<float> product;  // [d_v] S times one vector
  std::vector<float> weights;  // [d_v, kChunk] per-key factors of the state update
  std::vector<float> decays;   // [d_v] the chunk's decay, once per state row
};

// §8.6 for one head, over all its tokens. The O(d_k·d_v) products with the state run on the attention
// kernels: S·x is attention_scores with the rows of S as keys, and S ← a·S + Σ_j p_j·k_jᵀ is
// attention_accumulate with the rows of S as accumulators and the chunk's keys as values.
void chunked_head(const OpContext& ctx, const DeltaNetShape& shape, const HeadInputs& in, float* state, float* out,
                  int64_t out_stride, ChunkScratch& s) {
  const int64_t d_k = shape.d_k;
  const int64_t d_v = shape.d_v;
  s.gamma.resize(kChunk);
  s.u.resize(kChunk * d_v);
  s.w.resize(kChunk * d_k);
  s.delta.resize(kChunk * d_v);
  s.product.resize(d_v);
  s.weights.resize(d_v * kChunk);
  s.decays.resize(d_v);
  for (int64_t c0 = 0; c0 < shape.n_tokens; c0 += kChunk) {
    const int64_t n = std::min(kChunk, shape.n_tokens - c0);
    // U = (I + L)⁻¹·diag(β)·V and W = (I + L)⁻¹·diag(β⊙e^Γ)·K by forward substitution, row by row.
    for (int64_t i = 0; i < n; ++i) {
      s.gamma[i] = (i > 0 ? s.gamma[i - 1] : 0.0f) + in.g(c0 + i);
      const float beta = in.beta(c0 + i);
      float* u = s.u.data() + i * d_v;
      float* w = s.w.data() + i * d_k;
      const float* k_i = in.k(c0 + i);
      const float* v_i = in.v(c0 + i);
      const float decayed_beta = beta * std::exp(s.gamma[i]);
      for (int64_t a = 0; a < d_v; ++a) u[a] = beta * v_i[a];
      for (int64_t b = 0; b < d_k; ++b) w[b] = decayed_beta * k_i[b];
      for (int64_t j = 0; j < i; ++j) {
        // L[i][j] of §8.6 step 2, only for j < i: Γ_i − Γ_j ≤ 0, so the exponential cannot overflow.
        const float l_ij = beta * dot(k_i, in.k(c0 + j), d_k) * std::exp(s.gamma[i] - s.gamma[j]);
        subtract_scaled(s.u.data() + j * d_v, l_ij, u, d_v);
        subtract_scaled(s.w.data() + j * d_k, l_ij, w, d_k);
      }
    }
    // Δ = U − W·Sᵀ with the incoming state.
    for (int64_t i = 0; i < n; ++i) {
      const float* w_i = s.w.data() + i * d_k;
      ctx.kernels->attention_scores(&w_i, 1, state, d_k, d_v, d_k, s.product.data(), d_v);
      for (int64_t a = 0; a < d_v; ++a) s.delta[i * d_v + a] = s.u[i * d_v + a] - s.product[a];
    }
    // o_i = e^Γ_i·S·q_i + Σ_{j ≤ i} (q_i·k_j)·e^(Γ_i − Γ_j)·Δ_j
    for (int64_t i = 0; i < n; ++i) {
      const float* q_i = in.q(c0 + i);
      float* o = out + (c0 + i) * out_stride;
      ctx.kernels->attention_scores(&q_i, 1, state, d_k, d_v, d_k, s.product.data(), d_v);
      const float decay = std::exp(s.gamma[i]);
      for (int64_t a = 0; a < d_v; ++a) o[a] = decay * s.product[a];
      for (int64_t j = 0; j <= i; ++j) {
        const float factor = dot(q_i, in.k(c0 + j), d_k) * std::exp(s.gamma[i] - s.gamma[j]);
        subtract_scaled(s.delta.data() + j * d_v, -factor, o, d_v);
      }
    }
    // S ← e^Γ_last·S + Σ_j e^(Γ_last − Γ_j)·Δ_j·k_jᵀ
    // All d_v rows of S in one call: weights[a][j] = e^(Γ_last − Γ_j)·Δ_j[a], one decay factor per row.
    const float last = s.gamma[n - 1];
    for (int64_t a = 0; a < d_v; ++a) {
      for (int64_t j = 0; j < n; ++j) s.weights[a * kChunk + j] = std::exp(last - s.gamma[j]) * s.delta[j * d_v + a];
    }
    std::fill(s.decays.begin(), s.decays.end(), std::exp(last));
    ctx.kernels->attention_accumulate(s.weights.data(), kChunk, s.decays.data(), d_v, in.k(c0), in.k_stride(), n, state,
                                      d_k);
  }
}

}  // namespace

void gated_delta_net(const OpContext& ctx, const DeltaNetShape& shape, const DeltaNetInputs& inputs, DeltaNetForm form,
                     float* state, float* out) {
  const int64_t out_stride = shape.n_v_heads * shape.d_v;
  ctx.pool->parallel_for(shape.n_seqs * shape.n_v_heads, [&](int64_t task, int) {
    const int64_t seq = task / shape.n_v_heads;
    const int64_t head = task % shape.n_v_heads;
    const HeadInputs in(shape, inputs, seq, head);
    float* head_state = state + task * shape.d_v * shape.d_k;
    float* head_out = out + seq * shape.n_tokens * out_stride + head * shape.d_v;
    if (form == DeltaNetForm::chunked) {
      thread_local ChunkScratch scratch;
      chunked_head(ctx, shape, in, head_state, head_out, out_stride, scratch);
      return;
    }
    for (int64_t t = 0; t < shape.n_tokens; ++t) {
      ctx.kernels->delta_net_step(head_state, in.q(t), in.k(t), in.v(t), in.beta(t), std::exp(in.g(t)), shape.d_k,
                                  shape.d_v, head_out + t * out_stride);
    }
  });
}

}  // namespace hearth::cpu
