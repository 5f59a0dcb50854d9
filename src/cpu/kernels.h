#pragma once
// The table of CPU kernels for one instruction set. The scalar table (kernels_scalar.cpp) is the
// specification of every kernel; each SIMD table starts as a copy of the level below it and replaces the
// entries it accelerates, so a missing SIMD kernel falls back instead of failing.
//
// Kernels work on contiguous float32 rows and know nothing of models: looping over rows, broadcasting and
// threading live in ops.h. Unless noted, `y` may be the same pointer as an input (in-place use).
#include <array>
#include <cstddef>
#include <cstdint>

#include "cpu/cpu_features.h"

namespace hearth::cpu {

enum class UnaryOp {
  silu,        // x·σ(x)
  gelu_tanh,   // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  gelu_quick,  // x·σ(1.702·x)
  sigmoid,     // σ(x) = 1 / (1 + e^−x)
  softplus,    // ln(1 + e^x)
  tanh,
};
inline constexpr size_t kUnaryOpCount = 6;

// Gated linear units: y = act(gate) ⊙ up.
enum class GluOp {
  swiglu,  // act = silu
  geglu,   // act = gelu_tanh
};
inline constexpr size_t kGluOpCount = 2;

// Storage of a linear layer's weight matrix: the float formats, whose kernels read f32 activations, then the
// block-quantized formats (spec/quants.md), whose kernels read activations quantized to the format's
// ActivationFormat.
enum class WeightFormat { f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs, mxfp4 };
inline constexpr size_t kFloatWeightFormatCount = 3;
inline constexpr size_t kQuantWeightFormatCount = 13;
inline constexpr bool is_quantized(WeightFormat format) { return static_cast<size_t>(format) >= kFloatWeightFormatCount; }
inline constexpr size_t quant_index(WeightFormat format) { return static_cast<size_t>(format) - kFloatWeightFormatCount; }

// What a quantized weight format's activations are quantized to (llama.cpp's vec_dot_type), so that results
// match llama.cpp: q8_0 for Q4_0, Q5_0, Q8_0, IQ4_NL, MXFP4; q8_1 for Q4_1, Q5_1; q8_k for the K-quants and IQ4_XS.
enum class ActivationFormat { q8_0, q8_1, q8_k };
inline constexpr size_t kActivationFormatCount = 3;

// y[t, o] = Σ_i x[t, i] · w[o, i] for t < n_tokens, o < n_out. Weights are n_out rows of n_in values
// (the GGUF layout) of the table entry's WeightFormat; x and y rows are x_stride / y_stride floats apart.
struct LinearArgs {
  const float* x;
  int64_t x_stride;
  const void* weights;
  int64_t n_in;
  int64_t n_out;
  int64_t n_tokens;
  float* y;
  int64_t y_stride;
};
using LinearFn = void (*)(const LinearArgs& args);

// Activations of n_tokens rows of n_in values quantized for the integer dot products; every array holds the
// rows one after another. The values are those of llama.cpp's x86 quantizers (spec/quants.md §5); the layout
// is ours, split so the kernels load quants and scales without unpacking blocks.
struct QuantizedActivations {
  int8_t* q;       // [n_tokens, n_in]
  float* d;        // [n_tokens, n_in / block]: block scale (block = 32, or 256 for q8_k); the stored fp16 as f32
  float* s;        // q8_1: [n_tokens, n_in / 32]: the stored fp16(d·Σq) as f32
  int32_t* sums;   // q8_0, q8_1: [n_tokens, n_in / 32]: Σq, for kernels that shift signed weights to unsigned
  int16_t* bsums;  // q8_k: [n_tokens, n_in / 16]: sums of 16 quants
  int64_t n_in;
};
// Quantizes activation rows [n_tokens, n_in] (x rows x_stride floats apart) into `out` starting at token row
// first_token. n_in is a whole number of blocks.
using QuantizeActivationsFn = void (*)(const float* x, int64_t x_stride, int64_t n_tokens,
                                       const QuantizedActivations& out, int64_t first_token);

// Rows of quantized weights unpacked for the integer kernels: every value as one byte, scales as numbers.
// Formats with 32-value blocks (q8_0 / q8_1 activations) fill q, d and, for Q4_1 / Q5_1, m; formats with
// 256-value super-blocks (q8_k activations) fill q, scales, mins, d and m (= dmin). Each row's weight is,
// per block, d·(value) + m for the 32-value formats and d·scale·value − m·min per 16 values for the others.
// Values are unsigned, except for Q4_0, Q5_0, Q8_0, IQ4_NL, MXFP4 and IQ4_XS whose values carry their sign.
// The arrays have the sizes below; how a table arranges its rows in them is its own (a panel is only read by
// the dot kernel of the table whose unpack kernel wrote it). The scalar table keeps whole rows, as listed.
struct WeightPanel {
  int8_t* q;         // [kPanelRows, n_in]
  float* d;          // [kPanelRows, n_in / block]
  float* m;          // [kPanelRows, n_in / block]
  int16_t* scales;   // [kPanelRows, n_in / 32, 16]: lanes 0-7 the scale of values 0-15 of a 32, 8-15 of 16-31
  int16_t* mins;     // [kPanelRows, n_in / 16]: per 16 values, multiplies the activation's bsums
  int64_t n_in;
};
// Weight rows of one output tile: the matrix-matrix path unpacks this many rows at a time (one per 32-bit
// lane of a 256-bit vector).
inline constexpr int64_t kPanelRows = 8;
// Tokens per call of a panel kernel in the matrix-matrix path.
inline constexpr int64_t kPanelTokens = 4;

// Unpacks n_rows ≤ kPanelRows weight rows (row_bytes apart) of n_in values into `panel`.
using UnpackWeightsFn = void (*)(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel);
// y[t, r] = Σ_i x[first_token + t, i] · panel[r, i] for r < n_rows ≤ kPanelRows, t < n_tokens ≤ kPanelTokens,
// y rows y_stride floats apart; the sums follow llama.cpp's vec_dot for the format (spec/quants.md §9).
using PanelDotFn = void (*)(const WeightPanel& panel, int64_t n_rows, const QuantizedActivations& x,
                            int64_t first_token, int64_t n_tokens, float* y, int64_t y_stride);

// Rows per group of the interleaved weight layout (interleaved_weights.h): one per 32-bit lane.
inline constexpr int64_t kInterleaveRows = 8;

// Tokens per call of a matrix-vector kernel: decode, and the few tokens of a batched or speculative decode.
inline constexpr int64_t kGemvMaxTokens = 4;

// y[t, r] = Σ_i x[first_token + t, i] · w[r, i] for r < n_rows, t < n_tokens ≤ kGemvMaxTokens, read straight
// from the stored blocks (rows row_bytes apart) without a panel: the integer sums of unpack + dot.
using QuantGemvFn = void (*)(const void* rows, int64_t row_bytes, int64_t n_rows, const QuantizedActivations& x,
                             int64_t first_token, int64_t n_tokens, float* y, int64_t y_stride);

struct QuantLinearKernels {
  UnpackWeightsFn unpack = nullptr;
  PanelDotFn dot = nullptr;
  QuantGemvFn gemv = nullptr;
  // The same on rows in interleaved groups (interleaved_weights.h): `rows` is the start of a group, n_rows a
  // multiple of kInterleaveRows, row_bytes the format's row size. Absent where the table has none.
  QuantGemvFn gemv_interleaved = nullptr;
};

using BinaryFn = void (*)(const float* a, const float* b, float* y, int64_t n);
using UnaryFn = void (*)(const float* x, float* y, int64_t n);
using GluFn = void (*)(const float* gate, const float* up, float* y, int64_t n);

struct Kernels {
  Isa isa = Isa::scalar;

  BinaryFn add = nullptr;  // y = a + b
  BinaryFn mul = nullptr;  // y = a ⊙ b
  void (*scale)(const float* x, float factor, float* y, int64_t n) = nullptr;
  void (*clamp)(const float* x, float lo, float hi, float* y, int64_t n) = nullptr;
  void (*softcap)(const float* x, float cap, float* y, int64_t n) = nullptr;  // cap·tanh(x / cap)
  std::array<UnaryFn, kUnaryOpCount> unary{};
  std::array<GluFn, kGluOpCount> glu{};

  // x·(mean(x²) + eps)^(−1/2) ⊙ weight; weight may be null (≡ 1).
  void (*rms_norm)(const float* x, const float* weight, float eps, float* y, int64_t n) = nullptr;
  // (x − mean)·(var + eps)^(−1/2) ⊙ weight + bias with the biased variance; weight and bias may be null.
  void (*layer_norm)(const float* x, const float* weight, const float* bias, float eps, float* y, int64_t n) = nullptr;
  // x / max(‖x‖₂, eps) (ggml_l2_norm).
  void (*l2_norm)(const float* x, float eps, float* y, int64_t n) = nullptr;
  // softmax(softcap(scale·x) + mask). softcap ≤ 0 disables it, mask may be null. A row whose every entry
  // is −∞ gives zeros.
  void (*softmax)(const float* x, const float* mask, float scale, float softcap, float* y, int64_t n) = nullptr;

  // Rotates the first n_rot values of one head. NeoX pairs (x[j], x[j + n_rot/2]) with cos/sin[j],
  // j < n_rot/2. Adjacent ("NORM") pairs (x[2j], x[2j+1]) with per-value tables of n_rot entries:
  // cos_values[2j] = cos_values[2j+1] = cos θ_j, sin_values[2j] = −sin θ_j, sin_values[2j+1] = sin θ_j,
  // which turns the rotation into y = x·cos + swap_pairs(x)·sin. Values from n_rot on are not touched.
  void (*rope_neox)(const float* x, const float* cos, const float* sin, int64_t n_rot, float* y) = nullptr;
  void (*rope_adjacent)(const float* x, const float* cos_values, const float* sin_values, int64_t n_rot, float* y) = nullptr;

  // Index of the largest value, the first one on ties (n ≥ 1, no NaN).
  int64_t (*argmax)(const float* x, int64_t n) = nullptr;

  // Round to nearest even, as ggml's reference conversions (tensor/fp16.h). These never alias.
  void (*f32_to_f16)(const float* x, uint16_t* y, int64_t n) = nullptr;
  void (*f16_to_f32)(const uint16_t* x, float* y, int64_t n) = nullptr;
  void (*f32_to_bf16)(const float* x, uint16_t* y, int64_t n) = nullptr;
  void (*bf16_to_f32)(const uint16_t* x, float* y, int64_t n) = nullptr;

  // Linear layers, indexed by WeightFormat: `gemv` is tuned for one token (streams the weights once per
  // token), `gemm` for many (cache-blocked). Both compute the same thing for any n_tokens; y never aliases x.
  std::array<LinearFn, kFloatWeightFormatCount> gemv{};
  std::array<LinearFn, kFloatWeightFormatCount> gemm{};

  // Quantized linear layers: activation quantizers by ActivationFormat and panel kernels by quant_index().
  // Plain arrays, unlike the std::arrays above, so per-ISA files can replace single entries: indexing them
  // calls no inline library function (see install_tables.h).
  QuantizeActivationsFn quantize_activations[kActivationFormatCount] = {};
  QuantLinearKernels quant_linear[kQuantWeightFormatCount] = {};

  // Blocks of the fused attention op (attention.cpp): n_rows query rows q[r] against a block of f32 K/V rows
  // `stride` floats apart; scores and weights rows are `score_stride` apart, acc rows head_dim apart.
  // scores[r][j] = q[r] · k_j for j < n_keys.
  void (*attention_scores)(const float* const* q, int64_t n_rows, const float* keys, int64_t stride, int64_t n_keys,
                           int64_t head_dim, float* scores, int64_t score_stride) = nullptr;
  // One block of an online softmax with running max m and running sum l of the blocks before: replaces the
  // logits s_j (−∞ allowed) by e^(s_j − m'), m' = max(m, max_j s_j); sets l ← l·e^(m − m') + Σ_j e^(s_j − m')
  // and m ← m'; returns e^(m − m'), the factor that rescales the weighted sum so far. While m' = −∞ (nothing
  // visible yet) the weights are 0 and the factor 1.
  float (*online_softmax)(float* logits, int64_t n, float* running_max, float* running_sum) = nullptr;
  // acc[r][d] ← acc[r][d]·correction[r] + Σ_j p[r][j]·v_j[d] for j < n_keys, d < head_dim.
  void (*attention_accumulate)(const float* p, int64_t score_stride, const float* correction, int64_t n_rows,
                               const float* values, int64_t stride, int64_t n_keys, float* acc, int64_t head_dim) = nullptr;

  // Depthwise causal conv1d (conv.cpp): y[t][c] = Σ_i taps[i][c]·x[t + i][c] for t < n_out, i < kernel,
  // c < channels; x has n_out + kernel − 1 rows; x, taps and y rows are `stride` floats apart.
  void (*depthwise_conv1d)(const float* x, const float* taps, int64_t stride, int64_t kernel, int64_t channels, int64_t n_out, float* y) = nullptr;
  // One gated delta net step of one head (delta_net.h), state [d_v, d_k]: S ← decay·S; δ = β·(v − S·k);
  // S ← S + δ·kᵀ; out = S·q.
  void (*delta_net_step)(float* state, const float* q, const float* k, const float* v, float beta, float decay, int64_t d_k, int64_t d_v, float* out) = nullptr;

  UnaryFn unary_fn(UnaryOp op) const { return unary[static_cast<size_t>(op)]; }
  GluFn glu_fn(GluOp op) const { return glu[static_cast<size_t>(op)]; }
  LinearFn gemv_fn(WeightFormat format) const { return gemv[static_cast<size_t>(format)]; }
  LinearFn gemm_fn(WeightFormat format) const { return gemm[static_cast<size_t>(format)]; }
  QuantizeActivationsFn quantize_fn(ActivationFormat format) const { return quantize_activations[static_cast<size_t>(format)]; }
  const QuantLinearKernels& quant_fn(WeightFormat format) const { return quant_linear[quant_index(format)]; }
};

// The table for one level, or nullptr when this binary was built without it or this CPU cannot run it.
const Kernels* kernels_for(Isa isa);

// The table for selected_isa().
const Kernels& active_kernels();

}  // namespace hearth::cpu
