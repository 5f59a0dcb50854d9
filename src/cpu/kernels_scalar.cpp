// The scalar reference kernels: the specification every SIMD table is tested against, and the fallback on
// CPUs without a SIMD level. Written for clarity; reductions accumulate in double so that the reference
// is more accurate than any kernel compared with it.
#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/kernels_install.h"
#include "tensor/fp16.h"

namespace hearth::cpu {
namespace {

void add(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

void mul(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}

void scale(const float* x, float factor, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * factor;
}

void clamp(const float* x, float lo, float hi, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i], lo), hi);
}

void softcap(const float* x, float cap, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = cap * std::tanh(x[i] / cap);
}

float sigmoid_value(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float silu_value(float x) { return x * sigmoid_value(x); }
float gelu_tanh_value(float x) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}
float gelu_quick_value(float x) { return x * sigmoid_value(1.702f * x); }
// ln(1 + e^x) written so that e^x cannot overflow.
float softplus_value(float x) { return std::max(x, 0.0f) + std::log1p(std::exp(-std::abs(x))); }

template <float (*Fn)(float)>
void map(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = Fn(x[i]);
}

float tanh_value(float x) { return std::tanh(x); }

template <float (*Act)(float)>
void glu(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = Act(gate[i]) * up[i];
}

void rms_norm(const float* x, const float* weight, float eps, float* y, int64_t n) {
  double sum_squares = 0.0;
  for (int64_t i = 0; i < n; ++i) sum_squares += static_cast<double>(x[i]) * x[i];
  const float inv_rms = static_cast<float>(1.0 / std::sqrt(sum_squares / static_cast<double>(n) + eps));
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * inv_rms * (weight != nullptr ? weight[i] : 1.0f);
}

void layer_norm(const float* x, const float* weight, const float* bias, float eps, float* y, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(n);
  double sum_squares = 0.0;
  for (int64_t i = 0; i < n; ++i) sum_squares += (x[i] - mean) * (x[i] - mean);
  const float inv_std = static_cast<float>(1.0 / std::sqrt(sum_squares / static_cast<double>(n) + eps));
  const float mean_f = static_cast<float>(mean);
  for (int64_t i = 0; i < n; ++i) {
    const float normalized = (x[i] - mean_f) * inv_std * (weight != nullptr ? weight[i] : 1.0f);
    y[i] = normalized + (bias != nullptr ? bias[i] : 0.0f);
  }
}

void l2_norm(const float* x, float eps, float* y, int64_t n) {
  double sum_squares = 0.0;
  for (int64_t i = 0; i < n; ++i) sum_squares += static_cast<double>(x[i]) * x[i];
  const float inv_norm = 1.0f / std::max(static_cast<float>(std::sqrt(sum_squares)), eps);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * inv_norm;
}

void softmax(const float* x, const float* mask, float scale_factor, float cap, float* y, int64_t n) {
  float max_logit = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    float logit = x[i] * scale_factor;
    if (cap > 0.0f) logit = cap * std::tanh(logit / cap);
    if (mask != nullptr) logit += mask[i];
    y[i] = logit;
    max_logit = std::max(max_logit, logit);
  }
  if (max_logit == -std::numeric_limits<float>::infinity()) {
    std::fill(y, y + n, 0.0f);
    return;
  }
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = std::exp(y[i] - max_logit);
    sum += y[i];
  }
  const float inv_sum = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) y[i] *= inv_sum;
}

void rope_neox(const float* x, const float* cos, const float* sin, int64_t n_rot, float* y) {
  const int64_t half = n_rot / 2;
  for (int64_t j = 0; j < half; ++j) {
    const float first = x[j];
    const float second = x[j + half];
    y[j] = first * cos[j] - second * sin[j];
    y[j + half] = first * sin[j] + second * cos[j];
  }
}

void rope_adjacent(const float* x, const float* cos_values, const float* sin_values, int64_t n_rot, float* y) {
  for (int64_t i = 0; i < n_rot; i += 2) {
    const float even = x[i];
    const float odd = x[i + 1];
    y[i] = even * cos_values[i] + odd * sin_values[i];
    y[i + 1] = odd * cos_values[i + 1] + even * sin_values[i + 1];
  }
}

int64_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] > x[best]) best = i;
  }
  return best;
}

void f32_to_f16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_fp16(x[i]);
}
void f16_to_f32(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fp16_to_f32(x[i]);
}
void f32_to_bf16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = hearth::f32_to_bf16(x[i]);
}
void bf16_to_f32(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = hearth::bf16_to_f32(x[i]);
}

struct F16Weight {
  static float value(const uint16_t* row, int64_t i) { return fp16_to_f32(row[i]); }
};
struct Bf16Weight {
  static float value(const uint16_t* row, int64_t i) { return hearth::bf16_to_f32(row[i]); }
};
struct F32Weight {
  static float value(const float* row, int64_t i) { return row[i]; }
};

template <typename Format, typename Element>
void linear(const LinearArgs& args) {
  const auto* weights = static_cast<const Element*>(args.weights);
  for (int64_t t = 0; t < args.n_tokens; ++t) {
    const float* x = args.x + t * args.x_stride;
    for (int64_t o = 0; o < args.n_out; ++o) {
      const Element* row = weights + o * args.n_in;
      double sum = 0.0;
      for (int64_t i = 0; i < args.n_in; ++i) sum += static_cast<double>(x[i]) * Format::value(row, i);
      args.y[t * args.y_stride + o] = static_cast<float>(sum);
    }
  }
}

}  // namespace

void install_scalar_kernels(Kernels& table) {
  table.isa = Isa::scalar;
  table.add = add;
  table.mul = mul;
  table.scale = scale;
  table.clamp = clamp;
  table.softcap = softcap;
  table.unary = {map<silu_value>, map<gelu_tanh_value>, map<gelu_quick_value>,
                 map<sigmoid_value>, map<softplus_value>, map<tanh_value>};
  table.glu = {glu<silu_value>, glu<gelu_tanh_value>};
  table.rms_norm = rms_norm;
  table.layer_norm = layer_norm;
  table.l2_norm = l2_norm;
  table.softmax = softmax;
  table.rope_neox = rope_neox;
  table.rope_adjacent = rope_adjacent;
  table.argmax = argmax;
  table.f32_to_f16 = f32_to_f16;
  table.f16_to_f32 = f16_to_f32;
  table.f32_to_bf16 = f32_to_bf16;
  table.bf16_to_f32 = bf16_to_f32;
  const LinearFn f32 = linear<F32Weight, float>;
  const LinearFn f16 = linear<F16Weight, uint16_t>;
  const LinearFn bf16 = linear<Bf16Weight, uint16_t>;
  table.gemv = {f32, f16, bf16};
  table.gemm = {f32, f16, bf16};
  install_scalar_sequence_kernels(table);
}

}  // namespace hearth::cpu
