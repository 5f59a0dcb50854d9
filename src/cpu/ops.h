#pragma once
// The CPU op vocabulary on float32 row-major tensors: shapes are written outermost first, [rows, n].
// Each op splits its rows over the context's thread pool and runs the context's kernel table, so tests can
// run the same op on every instruction set. Ops know nothing of models.
#include <cstdint>

#include "cpu/kernels.h"
#include "cpu/thread_pool.h"

namespace hearth::cpu {

struct OpContext {
  ThreadPool* pool;
  const Kernels* kernels;
};

// The process-wide pool and the kernels for selected_isa().
OpContext default_op_context();

// y[r] = a[r] + b[r] (mul: ⊙), a and y [rows, n]; b is [rows, n], or one row [n] added to every row when
// broadcast_b.
void add(const OpContext& ctx, const float* a, const float* b, float* y, int64_t rows, int64_t n, bool broadcast_b);
void mul(const OpContext& ctx, const float* a, const float* b, float* y, int64_t rows, int64_t n, bool broadcast_b);

// Element-wise over `count` values.
void scale(const OpContext& ctx, const float* x, float factor, float* y, int64_t count);
void clamp(const OpContext& ctx, const float* x, float lo, float hi, float* y, int64_t count);
void softcap(const OpContext& ctx, const float* x, float cap, float* y, int64_t count);
void unary(const OpContext& ctx, UnaryOp op, const float* x, float* y, int64_t count);

// y [rows, n] = act(gate) ⊙ up, where gate and up rows are input_stride floats apart: separate [rows, n]
// tensors (stride n), or the two halves of a fused [rows, 2n] projection (up = gate + n, stride 2n).
void glu(const OpContext& ctx, GluOp op, const float* gate, const float* up, int64_t input_stride, float* y,
         int64_t rows, int64_t n);

// Per row of [rows, n]; weight/bias [n] or null. See Kernels for the formulas.
void rms_norm(const OpContext& ctx, const float* x, const float* weight, float eps, float* y, int64_t rows, int64_t n);
void layer_norm(const OpContext& ctx, const float* x, const float* weight, const float* bias, float eps, float* y,
                int64_t rows, int64_t n);
void l2_norm(const OpContext& ctx, const float* x, float eps, float* y, int64_t rows, int64_t n);

struct SoftmaxParams {
  float scale = 1.0f;
  float softcap = 0.0f;        // ≤ 0: none
  const float* mask = nullptr;  // additive, rows mask_stride apart
  int64_t mask_stride = 0;     // 0: one mask row shared by every row
};
// y [rows, n] = softmax(softcap(scale·x) + mask) per row.
void softmax(const OpContext& ctx, const float* x, const SoftmaxParams& params, float* y, int64_t rows, int64_t n);

enum class RopeMode {
  neox,      // pairs (x[j], x[j + n_rot/2]) — ggml GGML_ROPE_TYPE_NEOX, HF rotate_half (Gemma, Qwen)
  adjacent,  // pairs (x[2j], x[2j+1]) — ggml "NORM" rope type (Llama)
};

struct RopeParams {
  RopeMode mode = RopeMode::neox;
  int64_t n_rot = 0;                   // rotated leading values of each head (even, ≤ head_dim)
  float theta_base = 10000.0f;
  float freq_scale = 1.0f;             // linear position scaling
  const float* freq_factors = nullptr;  // [n_rot/2] divisors of each pair's frequency, or null
};

// x, y [n_tokens, n_heads, head_dim]; positions [n_tokens]. Pair j of a token at position p turns by
// θ = p · freq_scale · theta_base^(−2j/n_rot) / freq_factors[j]; values from n_rot on are copied.
// Angles are computed in double: exact for any position, where ggml's float recurrence drifts at long
// contexts.
void rope(const OpContext& ctx, const RopeParams& params, const float* x, const int32_t* positions, float* y,
          int64_t n_tokens, int64_t n_heads, int64_t head_dim);

// 2-D RoPE (Gemma 4 vision, gemma4.md §5.4): each head of x, y [n_tokens, n_heads, head_dim] is two halves of
// head_dim/2 values; the first half turns as rope() by positions_a, the second by positions_b, each with
// `params` over a head of head_dim/2 (n_rot counts within a half).
void rope_2d(const OpContext& ctx, const RopeParams& params, const float* x, const int32_t* positions_a,
             const int32_t* positions_b, float* y, int64_t n_tokens, int64_t n_heads, int64_t head_dim);

// First index of the largest value of x [n].
int64_t argmax(const OpContext& ctx, const float* x, int64_t n);

// Indices of the k largest values of x [n] (k ≤ n), largest first; equal values keep index order.
void top_k(const float* x, int64_t n, int64_t k, int64_t* indices);

// How a matrix's rows are stored: as the GGUF rows, or (quantized formats) in interleaved groups of 8 rows
// for the matrix-vector kernels (interleaved_weights.h), which only the linear op reads.
enum class WeightLayout { rows, interleaved };

// A weight matrix as stored in GGUF; weight_formats.h maps a tensor's type to its WeightFormat. n_in is a
// whole number of the format's blocks.
struct WeightMatrix {
  WeightFormat format = WeightFormat::f32;
  const void* data = nullptr;  // [n_out, n_in] values of `format`
  int64_t n_out = 0;
  int64_t n_in = 0;
  WeightLayout layout = WeightLayout::rows;
};

// How weights meet the activations.
// f32_upcast (= f32_dequant, the goldens' name for quantized files): weights converted exactly to f32 (F16 /
//   BF16 upcast, quantized rows dequantized on the fly) and multiplied with the f32 activations.
// as_stored: what llama.cpp's CPU backend does, to reproduce its outputs: activations rounded to F16 / BF16
//   for those weights, or quantized to the format's ActivationFormat (Q8_0, Q8_1, Q8_K) for quantized
//   weights, which then run the integer kernels: the fast path for quantized weights.
// F32 weights ignore it.
enum class LinearNumerics { f32_upcast, as_stored, f32_dequant = f32_upcast };

// y [n_tokens, n_out] = x [n_tokens, n_in] · Wᵀ. One token runs the matrix-vector kernel with the output
// rows split over threads (each streams its slice of the weights once); more tokens run the cache-blocked
// kernel on (token block × output block) tasks.
void linear(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& weights, float* y,
            LinearNumerics numerics = LinearNumerics::f32_upcast);

// Mixture-of-experts linear: y [n_tokens, k, n_out], y[t, j] = x[t] · W_e, e = expert_ids[t·k + j] < n_expert.
// `experts` describes one expert's matrix; its data holds the n_expert matrices back to back (GGUF's
// [n_expert, n_out, n_in]). Tokens are grouped by expert, so each expert's weights stream once per call.
void linear_experts(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& experts, int64_t n_expert,
                    const int32_t* expert_ids, int64_t k, float* y, LinearNumerics numerics = LinearNumerics::f32_upcast);

}  // namespace hearth::cpu
