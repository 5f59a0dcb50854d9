#pragma once
// Shorthands over the CPU ops for one micro-batch of n tokens, so the layer code reads like the spec's math.
// Activations are row-major [n_tokens, width] f32 vectors.
#include <cstdint>
#include <vector>

#include "cpu/attention.h"
#include "cpu/ops.h"

namespace hearth::models::gemma4 {

using Rows = std::vector<float>;

struct MicroBatch {
  cpu::OpContext ctx;
  cpu::LinearNumerics numerics;
  float eps;                       // of every RMSNorm
  std::vector<int32_t> positions;  // [n]
  std::vector<int32_t> seq_ids;    // [n]
  std::span<const cpu::BidirectionalRange> bidirectional{};  // image soft tokens (engine::ForwardOptions)

  int64_t n() const { return static_cast<int64_t>(positions.size()); }

  // x [rows, n_in] · Wᵀ; rows = x.size() / n_in.
  Rows linear(const Rows& x, const cpu::WeightMatrix& w) const {
    const int64_t rows = static_cast<int64_t>(x.size()) / w.n_in;
    Rows y(rows * w.n_out);
    cpu::linear(ctx, x.data(), rows, w, y.data(), numerics);
    return y;
  }
  // RMSNorm over each `width`-value slice (a token, or one head of a token); empty weight = no weight.
  Rows rms_norm(const Rows& x, const std::vector<float>& weight, int64_t width) const {
    Rows y(x.size());
    cpu::rms_norm(ctx, x.data(), weight.empty() ? nullptr : weight.data(), eps, y.data(),
                  static_cast<int64_t>(x.size()) / width, width);
    return y;
  }
  Rows geglu(const Rows& gate, const Rows& up, int64_t width) const {
    Rows y(gate.size());
    cpu::glu(ctx, cpu::GluOp::geglu, gate.data(), up.data(), width, y.data(), static_cast<int64_t>(gate.size()) / width, width);
    return y;
  }
  Rows gelu(const Rows& x) const {
    Rows y(x.size());
    cpu::unary(ctx, cpu::UnaryOp::gelu_tanh, x.data(), y.data(), static_cast<int64_t>(x.size()));
    return y;
  }
  Rows mul(const Rows& a, const Rows& b) const {
    Rows y(a.size());
    cpu::mul(ctx, a.data(), b.data(), y.data(), 1, static_cast<int64_t>(a.size()), false);
    return y;
  }
  Rows add(const Rows& a, const Rows& b) const {
    Rows y(a.size());
    cpu::add(ctx, a.data(), b.data(), y.data(), 1, static_cast<int64_t>(a.size()), false);
    return y;
  }
  Rows scale(const Rows& x, float factor) const {
    Rows y(x.size());
    cpu::scale(ctx, x.data(), factor, y.data(), static_cast<int64_t>(x.size()));
    return y;
  }
  // x [n, heads, head_dim] rotated per token position.
  Rows rope(const Rows& x, const cpu::RopeParams& params, int64_t heads, int64_t head_dim) const {
    Rows y(x.size());
    cpu::rope(ctx, params, x.data(), positions.data(), y.data(), n(), heads, head_dim);
    return y;
  }
};

}  // namespace hearth::models::gemma4
