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

// Storage of a linear layer's weight matrix.
enum class WeightFormat { f32, f16, bf16 };
inline constexpr size_t kWeightFormatCount = 3;

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
  std::array<LinearFn, kWeightFormatCount> gemv{};
  std::array<LinearFn, kWeightFormatCount> gemm{};

  UnaryFn unary_fn(UnaryOp op) const { return unary[static_cast<size_t>(op)]; }
  GluFn glu_fn(GluOp op) const { return glu[static_cast<size_t>(op)]; }
  LinearFn gemv_fn(WeightFormat format) const { return gemv[static_cast<size_t>(format)]; }
  LinearFn gemm_fn(WeightFormat format) const { return gemm[static_cast<size_t>(format)]; }
};

// The table for one level, or nullptr when this binary was built without it or this CPU cannot run it.
const Kernels* kernels_for(Isa isa);

// The table for selected_isa().
const Kernels& active_kernels();

}  // namespace hearth::cpu
