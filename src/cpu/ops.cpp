#include "cpu/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "cpu/quant_linear.h"

namespace hearth::cpu {
namespace {

// Below this many values an op runs on the calling thread: waking the pool costs a few microseconds,
// more than the work.
constexpr int64_t kMinValuesPerThread = 16 * 1024;

// Element-wise ops split flat ranges at multiples of a cache line so no two threads write one line.
constexpr int64_t kFloatsPerCacheLine = 16;

// Runs fn(begin_row, end_row) over [0, rows) in contiguous slices, one per thread when the work is large.
template <class Fn>
void for_row_ranges(const OpContext& ctx, int64_t rows, int64_t values_per_row, Fn fn) {
  for_row_slices(*ctx.pool, rows, values_per_row, kMinValuesPerThread, fn);
}

// Runs fn(begin, count) over a flat range of `count` values.
template <class Fn>
void for_flat_ranges(const OpContext& ctx, int64_t count, Fn fn) {
  const int64_t lines = (count + kFloatsPerCacheLine - 1) / kFloatsPerCacheLine;
  for_row_ranges(ctx, lines, kFloatsPerCacheLine, [&](int64_t first_line, int64_t end_line) {
    const int64_t begin = first_line * kFloatsPerCacheLine;
    fn(begin, std::min(count, end_line * kFloatsPerCacheLine) - begin);
  });
}

void binary(const OpContext& ctx, BinaryFn kernel, const float* a, const float* b, float* y, int64_t rows, int64_t n,
            bool broadcast_b) {
  if (!broadcast_b) {
    for_flat_ranges(ctx, rows * n, [&](int64_t begin, int64_t count) { kernel(a + begin, b + begin, y + begin, count); });
    return;
  }
  for_row_ranges(ctx, rows, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) kernel(a + r * n, b, y + r * n, n);
  });
}

// Fills the per-pair cos/sin of one token in the layout the kernel of `mode` reads (see Kernels).
void rope_angles(const RopeParams& params, const std::vector<double>& inv_freq, int32_t position, float* cos_table,
                 float* sin_table) {
  const int64_t pairs = params.n_rot / 2;
  for (int64_t j = 0; j < pairs; ++j) {
    const double angle = static_cast<double>(position) * inv_freq[j];
    const auto c = static_cast<float>(std::cos(angle));
    const auto s = static_cast<float>(std::sin(angle));
    if (params.mode == RopeMode::neox) {
      cos_table[j] = c;
      sin_table[j] = s;
    } else {
      cos_table[2 * j] = cos_table[2 * j + 1] = c;
      sin_table[2 * j] = -s;
      sin_table[2 * j + 1] = s;
    }
  }
}

// Tokens per task of the matrix-matrix kernel: a block of 192 token rows × 256 inputs (192 KiB) stays in
// L2 while the weight panels sweep over it; 192 is a multiple of both micro tile heights (6 and 12).
constexpr int64_t kTokenBlock = 192;
// Output rows per task: enough tasks for load balance, and a multiple of every panel width (16, 32).
constexpr int64_t kOutputBlock = 64;
// Output rows per matrix-vector task: a multiple of the kernel's 4-row step.
constexpr int64_t kGemvRowsPerTask = 16;

int64_t weight_element_bytes(WeightFormat format) { return format == WeightFormat::f32 ? 4 : 2; }

// Rounds activations through the weight format (LinearNumerics::as_stored) into `rounded`.
void round_activations(const OpContext& ctx, WeightFormat format, const float* x, int64_t count, float* rounded) {
  constexpr int64_t kChunk = 1024;
  for_flat_ranges(ctx, count, [&](int64_t begin, int64_t length) {
    uint16_t halves[kChunk];
    for (int64_t done = 0; done < length; done += kChunk) {
      const int64_t n = std::min(kChunk, length - done);
      if (format == WeightFormat::f16) {
        ctx.kernels->f32_to_f16(x + begin + done, halves, n);
        ctx.kernels->f16_to_f32(halves, rounded + begin + done, n);
      } else {
        ctx.kernels->f32_to_bf16(x + begin + done, halves, n);
        ctx.kernels->bf16_to_f32(halves, rounded + begin + done, n);
      }
    }
  });
}

std::vector<double> rope_inverse_frequencies(const RopeParams& params) {
  const int64_t pairs = params.n_rot / 2;
  std::vector<double> inv_freq(pairs);
  for (int64_t j = 0; j < pairs; ++j) {
    const double factor = params.freq_factors != nullptr ? params.freq_factors[j] : 1.0;
    inv_freq[j] = params.freq_scale * std::pow(static_cast<double>(params.theta_base),
                                               -2.0 * static_cast<double>(j) / static_cast<double>(params.n_rot)) / factor;
  }
  return inv_freq;
}

}  // namespace

OpContext default_op_context() { return OpContext{&default_thread_pool(), &active_kernels()}; }

void add(const OpContext& ctx, const float* a, const float* b, float* y, int64_t rows, int64_t n, bool broadcast_b) {
  binary(ctx, ctx.kernels->add, a, b, y, rows, n, broadcast_b);
}

void mul(const OpContext& ctx, const float* a, const float* b, float* y, int64_t rows, int64_t n, bool broadcast_b) {
  binary(ctx, ctx.kernels->mul, a, b, y, rows, n, broadcast_b);
}

void scale(const OpContext& ctx, const float* x, float factor, float* y, int64_t count) {
  for_flat_ranges(ctx, count, [&](int64_t begin, int64_t n) { ctx.kernels->scale(x + begin, factor, y + begin, n); });
}

void clamp(const OpContext& ctx, const float* x, float lo, float hi, float* y, int64_t count) {
  for_flat_ranges(ctx, count, [&](int64_t begin, int64_t n) { ctx.kernels->clamp(x + begin, lo, hi, y + begin, n); });
}

void softcap(const OpContext& ctx, const float* x, float cap, float* y, int64_t count) {
  for_flat_ranges(ctx, count, [&](int64_t begin, int64_t n) { ctx.kernels->softcap(x + begin, cap, y + begin, n); });
}

void unary(const OpContext& ctx, UnaryOp op, const float* x, float* y, int64_t count) {
  const UnaryFn kernel = ctx.kernels->unary_fn(op);
  for_flat_ranges(ctx, count, [&](int64_t begin, int64_t n) { kernel(x + begin, y + begin, n); });
}

void glu(const OpContext& ctx, GluOp op, const float* gate, const float* up, int64_t input_stride, float* y,
         int64_t rows, int64_t n) {
  const GluFn kernel = ctx.kernels->glu_fn(op);
  for_row_ranges(ctx, rows, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) kernel(gate + r * input_stride, up + r * input_stride, y + r * n, n);
  });
}

void rms_norm(const OpContext& ctx, const float* x, const float* weight, float eps, float* y, int64_t rows, int64_t n) {
  for_row_ranges(ctx, rows, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) ctx.kernels->rms_norm(x + r * n, weight, eps, y + r * n, n);
  });
}

void layer_norm(const OpContext& ctx, const float* x, const float* weight, const float* bias, float eps, float* y,
                int64_t rows, int64_t n) {
  for_row_ranges(ctx, rows, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) ctx.kernels->layer_norm(x + r * n, weight, bias, eps, y + r * n, n);
  });
}

void l2_norm(const OpContext& ctx, const float* x, float eps, float* y, int64_t rows, int64_t n) {
  for_row_ranges(ctx, rows, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) ctx.kernels->l2_norm(x + r * n, eps, y + r * n, n);
  });
}

void softmax(const OpContext& ctx, const float* x, const SoftmaxParams& params, float* y, int64_t rows, int64_t n) {
  for_row_ranges(ctx, rows, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* mask = params.mask != nullptr ? params.mask + r * params.mask_stride : nullptr;
      ctx.kernels->softmax(x + r * n, mask, params.scale, params.softcap, y + r * n, n);
    }
  });
}

void rope(const OpContext& ctx, const RopeParams& params, const float* x, const int32_t* positions, float* y,
          int64_t n_tokens, int64_t n_heads, int64_t head_dim) {
  const std::vector<double> inv_freq = rope_inverse_frequencies(params);
  const auto rotate = params.mode == RopeMode::neox ? ctx.kernels->rope_neox : ctx.kernels->rope_adjacent;
  for_row_ranges(ctx, n_tokens, n_heads * head_dim, [&](int64_t begin, int64_t end) {
    std::vector<float> cos_table(params.n_rot), sin_table(params.n_rot);
    for (int64_t t = begin; t < end; ++t) {
      rope_angles(params, inv_freq, positions[t], cos_table.data(), sin_table.data());
      for (int64_t h = 0; h < n_heads; ++h) {
        const float* head_in = x + (t * n_heads + h) * head_dim;
        float* head_out = y + (t * n_heads + h) * head_dim;
        rotate(head_in, cos_table.data(), sin_table.data(), params.n_rot, head_out);
        if (head_out != head_in) std::memcpy(head_out + params.n_rot, head_in + params.n_rot, (head_dim - params.n_rot) * sizeof(float));
      }
    }
  });
}

void rope_2d(const OpContext& ctx, const RopeParams& params, const float* x, const int32_t* positions_a,
             const int32_t* positions_b, float* y, int64_t n_tokens, int64_t n_heads, int64_t head_dim) {
  const std::vector<double> inv_freq = rope_inverse_frequencies(params);
  const auto rotate = params.mode == RopeMode::neox ? ctx.kernels->rope_neox : ctx.kernels->rope_adjacent;
  const int64_t half = head_dim / 2;
  for_row_ranges(ctx, n_tokens, n_heads * head_dim, [&](int64_t begin, int64_t end) {
    std::vector<float> cos_a(params.n_rot), sin_a(params.n_rot), cos_b(params.n_rot), sin_b(params.n_rot);
    const auto turn = [&](const float* in, const float* cos_table, const float* sin_table, float* out) {
      rotate(in, cos_table, sin_table, params.n_rot, out);
      if (out != in) std::memcpy(out + params.n_rot, in + params.n_rot, (half - params.n_rot) * sizeof(float));
    };
    for (int64_t t = begin; t < end; ++t) {
      rope_angles(params, inv_freq, positions_a[t], cos_a.data(), sin_a.data());
      rope_angles(params, inv_freq, positions_b[t], cos_b.data(), sin_b.data());
      for (int64_t h = 0; h < n_heads; ++h) {
        const int64_t offset = (t * n_heads + h) * head_dim;
        turn(x + offset, cos_a.data(), sin_a.data(), y + offset);
        turn(x + offset + half, cos_b.data(), sin_b.data(), y + offset + half);
      }
    }
  });
}

int64_t argmax(const OpContext& ctx, const float* x, int64_t n) { return ctx.kernels->argmax(x, n); }

void top_k(const float* x, int64_t n, int64_t k, int64_t* indices) {
  // Min-heap of the best k so far under "better": most candidates lose against its root in one compare.
  const auto better = [x](int64_t a, int64_t b) { return x[a] > x[b] || (x[a] == x[b] && a < b); };
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (kept < k) {
      indices[kept++] = i;
      std::push_heap(indices, indices + kept, better);
    } else if (better(i, indices[0])) {
      std::pop_heap(indices, indices + k, better);
      indices[k - 1] = i;
      std::push_heap(indices, indices + k, better);
    }
  }
  std::sort_heap(indices, indices + kept, better);
}

void linear(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& weights, float* y,
            LinearNumerics numerics) {
  if (is_quantized(weights.format)) {
    if (numerics == LinearNumerics::as_stored) {
      quantized_linear(ctx, x, n_tokens, weights, y);
    } else {
      dequantized_linear(ctx, x, n_tokens, weights, y);
    }
    return;
  }
  const int64_t n_in = weights.n_in;
  const int64_t n_out = weights.n_out;
  thread_local std::vector<float> rounded;
  if (numerics == LinearNumerics::as_stored && weights.format != WeightFormat::f32) {
    rounded.resize(n_tokens * n_in);
    round_activations(ctx, weights.format, x, n_tokens * n_in, rounded.data());
    x = rounded.data();
  }
  const auto* weight_bytes = static_cast<const uint8_t*>(weights.data);
  const int64_t row_bytes = n_in * weight_element_bytes(weights.format);
  if (n_tokens == 1) {
    const LinearFn gemv = ctx.kernels->gemv_fn(weights.format);
    const int64_t n_tasks = (n_out + kGemvRowsPerTask - 1) / kGemvRowsPerTask;
    ctx.pool->parallel_for(n_tasks, [&](int64_t task, int) {
      const int64_t first = task * kGemvRowsPerTask;
      gemv({x, n_in, weight_bytes + first * row_bytes, n_in, std::min(kGemvRowsPerTask, n_out - first), 1, y + first, n_out});
    });
    return;
  }
  const LinearFn gemm = ctx.kernels->gemm_fn(weights.format);
  for_each_tile(*ctx.pool, n_tokens, balanced_block_size(n_tokens, kTokenBlock), n_out, kOutputBlock, Schedule::chunked,
                [&](int64_t t0, int64_t t_end, int64_t o0, int64_t o_end) {
                  gemm({x + t0 * n_in, n_in, weight_bytes + o0 * row_bytes, n_in, o_end - o0, t_end - t0, y + t0 * n_out + o0, n_out});
                });
}

}  // namespace hearth::cpu
