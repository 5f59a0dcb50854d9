#pragma once
// Kernels written once over a vector type V and compiled into each per-ISA translation unit
// (kernels_avx2.cpp, kernels_avx512.cpp), which defines V in an anonymous namespace. Every template here
// is instantiated with that V, so the copies compiled with different -m flags never merge at link time.
// For the same reason this header includes no standard library code and defines nothing that is not a
// template over V: an inline function compiled with AVX-512 flags could be picked by the linker for the
// whole program.
//
// V provides, on vectors of V::kLanes floats (Reg) and lane masks (Mask):
//   zero, set1, load, store, load_partial / store_partial (first n lanes, the rest read as 0),
//   load_f16 / load_bf16 / store_f16 / store_bf16 (8·k half-precision values, RNE), and _partial forms,
//   add, sub, mul, div, mul_add(a,b,c)=a·b+c, neg_mul_add(a,b,c)=c−a·b, min, max, abs,
//   less(a,b), first_lanes(n), select(mask, if_true, if_false), round_nearest, pow2(integral n)=2ⁿ,
//   split_exponent(x, e) = m with x = m·2ᵉ, m ∈ [0.5, 1) for positive normal x,
//   swap_pairs (exchange lanes 2j and 2j+1), reduce_add, reduce_max, first_lane_equal(v, value) (−1 if none),
//   and kGemmRows: tokens per matrix-multiply micro tile, from its register count.
#include <cstdint>

#include "cpu/kernels.h"

namespace hearth::cpu::simd {

// ---------------------------------------------------------------- math

// e^x with Cephes' expf polynomial on x − n·ln2 (about 1 ulp); exactly 0 below e^−87.3 (−∞ included).
template <class V>
typename V::Reg exp(typename V::Reg x) {
  using Reg = typename V::Reg;
  // Saturates at e^88 so that n ≤ 127 and 2ⁿ stays a normal float.
  const Reg max_input = V::set1(88.0f);
  const Reg min_input = V::set1(-87.3f);
  const Reg clamped = V::min(V::max(x, min_input), max_input);
  const Reg n = V::round_nearest(V::mul(clamped, V::set1(1.44269504088896341f)));
  Reg r = V::neg_mul_add(n, V::set1(0.693359375f), clamped);
  r = V::neg_mul_add(n, V::set1(-2.12194440e-4f), r);
  Reg p = V::set1(1.9875691500e-4f);
  p = V::mul_add(p, r, V::set1(1.3981999507e-3f));
  p = V::mul_add(p, r, V::set1(8.3334519073e-3f));
  p = V::mul_add(p, r, V::set1(4.1665795894e-2f));
  p = V::mul_add(p, r, V::set1(1.6666665459e-1f));
  p = V::mul_add(p, r, V::set1(5.0000001201e-1f));
  p = V::mul_add(p, V::mul(r, r), V::add(r, V::set1(1.0f)));
  return V::select(V::less(x, min_input), V::zero(), V::mul(p, V::pow2(n)));
}

// ln x for positive normal x with Cephes' logf polynomial.
template <class V>
typename V::Reg log(typename V::Reg x) {
  using Reg = typename V::Reg;
  Reg exponent;
  Reg m = V::split_exponent(x, exponent);
  // Move m into [√½, √2) so the polynomial sees a small argument.
  const auto small = V::less(m, V::set1(0.707106781186547524f));
  exponent = V::select(small, V::sub(exponent, V::set1(1.0f)), exponent);
  m = V::sub(V::select(small, V::add(m, m), m), V::set1(1.0f));
  const Reg z = V::mul(m, m);
  Reg p = V::set1(7.0376836292e-2f);
  p = V::mul_add(p, m, V::set1(-1.1514610310e-1f));
  p = V::mul_add(p, m, V::set1(1.1676998740e-1f));
  p = V::mul_add(p, m, V::set1(-1.2420140846e-1f));
  p = V::mul_add(p, m, V::set1(1.4249322787e-1f));
  p = V::mul_add(p, m, V::set1(-1.6668057665e-1f));
  p = V::mul_add(p, m, V::set1(2.0000714765e-1f));
  p = V::mul_add(p, m, V::set1(-2.4999993993e-1f));
  p = V::mul_add(p, m, V::set1(3.3333331174e-1f));
  Reg y = V::mul(V::mul(p, m), z);
  y = V::mul_add(exponent, V::set1(-2.12194440e-4f), y);
  y = V::neg_mul_add(V::set1(0.5f), z, y);
  return V::mul_add(exponent, V::set1(0.693359375f), V::add(m, y));
}

template <class V>
typename V::Reg sigmoid(typename V::Reg x) {
  const typename V::Reg one = V::set1(1.0f);
  return V::div(one, V::add(one, exp<V>(V::sub(V::zero(), x))));
}

// Cephes' tanhf: an odd polynomial near 0 (where 1 − 2/(e^2x + 1) would cancel) and the exponential
// form elsewhere.
template <class V>
typename V::Reg tanh(typename V::Reg x) {
  using Reg = typename V::Reg;
  const Reg a = V::abs(x);
  const Reg z = V::mul(x, x);
  Reg p = V::set1(-5.70498872745e-3f);
  p = V::mul_add(p, z, V::set1(2.06390887954e-2f));
  p = V::mul_add(p, z, V::set1(-5.37397155531e-2f));
  p = V::mul_add(p, z, V::set1(1.33314422036e-1f));
  p = V::mul_add(p, z, V::set1(-3.33332819422e-1f));
  const Reg near_zero = V::mul_add(V::mul(p, z), x, x);
  const Reg one = V::set1(1.0f);
  const Reg magnitude = V::sub(one, V::div(V::set1(2.0f), V::add(exp<V>(V::add(a, a)), one)));
  const Reg far = V::select(V::less(x, V::zero()), V::sub(V::zero(), magnitude), magnitude);
  return V::select(V::less(a, V::set1(0.625f)), near_zero, far);
}

template <class V>
struct Silu {
  static typename V::Reg apply(typename V::Reg x) { return V::mul(x, sigmoid<V>(x)); }
};

// 0.5·x·(1 + tanh(u)) = x·σ(2u): one exponential and no cancellation.
template <class V>
struct GeluTanh {
  static typename V::Reg apply(typename V::Reg x) {
    const typename V::Reg cubic = V::mul(V::mul(x, x), V::mul(x, V::set1(0.044715f)));
    const typename V::Reg two_u = V::mul(V::add(x, cubic), V::set1(2.0f * 0.7978845608028654f));
    return V::mul(x, sigmoid<V>(two_u));
  }
};

template <class V>
struct GeluQuick {
  static typename V::Reg apply(typename V::Reg x) { return V::mul(x, sigmoid<V>(V::mul(x, V::set1(1.702f)))); }
};

template <class V>
struct Sigmoid {
  static typename V::Reg apply(typename V::Reg x) { return sigmoid<V>(x); }
};

// max(x, 0) + ln(1 + e^−|x|): no overflow for large x.
template <class V>
struct Softplus {
  static typename V::Reg apply(typename V::Reg x) {
    const typename V::Reg tail = exp<V>(V::sub(V::zero(), V::abs(x)));
    return V::add(V::max(x, V::zero()), log<V>(V::add(V::set1(1.0f), tail)));
  }
};

template <class V>
struct Tanh {
  static typename V::Reg apply(typename V::Reg x) { return tanh<V>(x); }
};

// ---------------------------------------------------------------- element-wise

// Runs body(offset, count) over [0, n) in whole vectors, then once for the remainder (count < kLanes), so
// every kernel has a vector tail instead of a scalar one.
template <class V, class Body>
void for_each_vector(int64_t n, Body body) {
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) body(i, V::kLanes);
  if (i < n) body(i, n - i);
}

template <class V>
typename V::Reg load_n(const float* p, int64_t count) {
  return count == V::kLanes ? V::load(p) : V::load_partial(p, count);
}

template <class V>
void store_n(float* p, typename V::Reg v, int64_t count) {
  if (count == V::kLanes) {
    V::store(p, v);
  } else {
    V::store_partial(p, v, count);
  }
}

template <class V>
void add(const float* a, const float* b, float* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { store_n<V>(y + i, V::add(load_n<V>(a + i, c), load_n<V>(b + i, c)), c); });
}

template <class V>
void mul(const float* a, const float* b, float* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { store_n<V>(y + i, V::mul(load_n<V>(a + i, c), load_n<V>(b + i, c)), c); });
}

template <class V>
void scale(const float* x, float factor, float* y, int64_t n) {
  const typename V::Reg f = V::set1(factor);
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { store_n<V>(y + i, V::mul(load_n<V>(x + i, c), f), c); });
}

template <class V>
void clamp(const float* x, float lo, float hi, float* y, int64_t n) {
  const typename V::Reg low = V::set1(lo);
  const typename V::Reg high = V::set1(hi);
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { store_n<V>(y + i, V::min(V::max(load_n<V>(x + i, c), low), high), c); });
}

template <class V>
typename V::Reg softcap_vector(typename V::Reg x, typename V::Reg cap, typename V::Reg inv_cap) {
  return V::mul(cap, tanh<V>(V::mul(x, inv_cap)));
}

template <class V>
void softcap(const float* x, float cap, float* y, int64_t n) {
  const typename V::Reg c = V::set1(cap);
  const typename V::Reg inv_c = V::set1(1.0f / cap);
  for_each_vector<V>(n, [&](int64_t i, int64_t k) { store_n<V>(y + i, softcap_vector<V>(load_n<V>(x + i, k), c, inv_c), k); });
}

template <class V, class Act>
void map(const float* x, float* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { store_n<V>(y + i, Act::apply(load_n<V>(x + i, c)), c); });
}

template <class V, class Act>
void glu(const float* gate, const float* up, float* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    store_n<V>(y + i, V::mul(Act::apply(load_n<V>(gate + i, c)), load_n<V>(up + i, c)), c);
  });
}

// ---------------------------------------------------------------- reductions and norms

// Σ x² with two accumulators, so consecutive FMAs do not wait on each other's latency.
template <class V>
float sum_squares(const float* x, int64_t n) {
  typename V::Reg even = V::zero();
  typename V::Reg odd = V::zero();
  int64_t i = 0;
  for (; i + 2 * V::kLanes <= n; i += 2 * V::kLanes) {
    const typename V::Reg a = V::load(x + i);
    const typename V::Reg b = V::load(x + i + V::kLanes);
    even = V::mul_add(a, a, even);
    odd = V::mul_add(b, b, odd);
  }
  for_each_vector<V>(n - i, [&](int64_t j, int64_t c) {
    const typename V::Reg a = load_n<V>(x + i + j, c);
    even = V::mul_add(a, a, even);
  });
  return V::reduce_add(V::add(even, odd));
}

template <class V>
void rms_norm(const float* x, const float* weight, float eps, float* y, int64_t n) {
  const float inv_rms = 1.0f / __builtin_sqrtf(sum_squares<V>(x, n) / static_cast<float>(n) + eps);
  const typename V::Reg factor = V::set1(inv_rms);
  if (weight == nullptr) {
    scale<V>(x, inv_rms, y, n);
    return;
  }
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    store_n<V>(y + i, V::mul(V::mul(load_n<V>(x + i, c), factor), load_n<V>(weight + i, c)), c);
  });
}

template <class V>
void l2_norm(const float* x, float eps, float* y, int64_t n) {
  const float norm = __builtin_sqrtf(sum_squares<V>(x, n));
  scale<V>(x, 1.0f / (norm > eps ? norm : eps), y, n);
}

template <class V>
void layer_norm(const float* x, const float* weight, const float* bias, float eps, float* y, int64_t n) {
  typename V::Reg sum = V::zero();
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { sum = V::add(sum, load_n<V>(x + i, c)); });
  const typename V::Reg mean = V::set1(V::reduce_add(sum) / static_cast<float>(n));
  // Two passes (variance of x − mean) rather than E[x²] − mean², which cancels when |mean| ≫ std.
  typename V::Reg squares = V::zero();
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    const typename V::Reg d = V::select(V::first_lanes(c), V::sub(load_n<V>(x + i, c), mean), V::zero());
    squares = V::mul_add(d, d, squares);
  });
  const float inv_std = 1.0f / __builtin_sqrtf(V::reduce_add(squares) / static_cast<float>(n) + eps);
  const typename V::Reg factor = V::set1(inv_std);
  const typename V::Reg one = V::set1(1.0f);
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    const typename V::Reg w = weight != nullptr ? load_n<V>(weight + i, c) : one;
    const typename V::Reg b = bias != nullptr ? load_n<V>(bias + i, c) : V::zero();
    store_n<V>(y + i, V::mul_add(V::mul(V::sub(load_n<V>(x + i, c), mean), factor), w, b), c);
  });
}

template <class V>
typename V::Reg load_or_minus_infinity(const float* p, int64_t count) {
  const typename V::Reg minus_infinity = V::set1(-__builtin_inff());
  return count == V::kLanes ? V::load(p) : V::select(V::first_lanes(count), V::load_partial(p, count), minus_infinity);
}

template <class V>
void softmax(const float* x, const float* mask, float scale_factor, float cap, float* y, int64_t n) {
  using Reg = typename V::Reg;
  const Reg factor = V::set1(scale_factor);
  const Reg c = V::set1(cap);
  const Reg inv_c = V::set1(1.0f / cap);
  Reg max_logits = V::set1(-__builtin_inff());
  for_each_vector<V>(n, [&](int64_t i, int64_t k) {
    Reg logits = V::mul(load_n<V>(x + i, k), factor);
    if (cap > 0.0f) logits = softcap_vector<V>(logits, c, inv_c);
    if (mask != nullptr) logits = V::add(logits, load_n<V>(mask + i, k));
    store_n<V>(y + i, logits, k);
    max_logits = V::max(max_logits, k == V::kLanes ? logits : V::select(V::first_lanes(k), logits, max_logits));
  });
  const float max_logit = V::reduce_max(max_logits);
  if (max_logit == -__builtin_inff()) {
    for_each_vector<V>(n, [&](int64_t i, int64_t k) { store_n<V>(y + i, V::zero(), k); });
    return;
  }
  const Reg shift = V::set1(max_logit);
  Reg sum = V::zero();
  for_each_vector<V>(n, [&](int64_t i, int64_t k) {
    const Reg e = exp<V>(V::sub(load_n<V>(y + i, k), shift));
    store_n<V>(y + i, e, k);
    sum = V::add(sum, k == V::kLanes ? e : V::select(V::first_lanes(k), e, V::zero()));
  });
  scale<V>(y, 1.0f / V::reduce_add(sum), y, n);
}

template <class V>
int64_t argmax(const float* x, int64_t n) {
  typename V::Reg best = V::set1(-__builtin_inff());
  for_each_vector<V>(n, [&](int64_t i, int64_t c) { best = V::max(best, load_or_minus_infinity<V>(x + i, c)); });
  const typename V::Reg target = V::set1(V::reduce_max(best));
  int64_t found = -1;
  for (int64_t i = 0; i < n && found < 0; i += V::kLanes) {
    const int64_t lane = V::first_lane_equal(load_or_minus_infinity<V>(x + i, n - i < V::kLanes ? n - i : V::kLanes), target);
    if (lane >= 0) found = i + lane;
  }
  return found < 0 ? 0 : found;
}

// ---------------------------------------------------------------- rope

template <class V>
void rope_neox(const float* x, const float* cos, const float* sin, int64_t n_rot, float* y) {
  const int64_t half = n_rot / 2;
  for_each_vector<V>(half, [&](int64_t j, int64_t c) {
    const typename V::Reg first = load_n<V>(x + j, c);
    const typename V::Reg second = load_n<V>(x + j + half, c);
    const typename V::Reg cj = load_n<V>(cos + j, c);
    const typename V::Reg sj = load_n<V>(sin + j, c);
    store_n<V>(y + j, V::neg_mul_add(second, sj, V::mul(first, cj)), c);
    store_n<V>(y + j + half, V::mul_add(first, sj, V::mul(second, cj)), c);
  });
}

// kLanes is even and n_rot is even, so a vector (or the tail) always holds whole pairs.
template <class V>
void rope_adjacent(const float* x, const float* cos_values, const float* sin_values, int64_t n_rot, float* y) {
  for_each_vector<V>(n_rot, [&](int64_t i, int64_t c) {
    const typename V::Reg v = load_n<V>(x + i, c);
    const typename V::Reg rotated = V::mul_add(V::swap_pairs(v), load_n<V>(sin_values + i, c), V::mul(v, load_n<V>(cos_values + i, c)));
    store_n<V>(y + i, rotated, c);
  });
}

// ---------------------------------------------------------------- conversions

template <class V>
void f32_to_f16(const float* x, uint16_t* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    if (c == V::kLanes) {
      V::store_f16(y + i, V::load(x + i));
    } else {
      V::store_f16_partial(y + i, V::load_partial(x + i, c), c);
    }
  });
}

template <class V>
void f16_to_f32(const uint16_t* x, float* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    store_n<V>(y + i, c == V::kLanes ? V::load_f16(x + i) : V::load_f16_partial(x + i, c), c);
  });
}

template <class V>
void f32_to_bf16(const float* x, uint16_t* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    if (c == V::kLanes) {
      V::store_bf16(y + i, V::load(x + i));
    } else {
      V::store_bf16_partial(y + i, V::load_partial(x + i, c), c);
    }
  });
}

template <class V>
void bf16_to_f32(const uint16_t* x, float* y, int64_t n) {
  for_each_vector<V>(n, [&](int64_t i, int64_t c) {
    store_n<V>(y + i, c == V::kLanes ? V::load_bf16(x + i) : V::load_bf16_partial(x + i, c), c);
  });
}

}  // namespace hearth::cpu::simd
