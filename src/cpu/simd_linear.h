#pragma once
// Linear-layer kernels (y = x·Wᵀ, W stored [n_out, n_in]) written over a vector type V, under the same
// rules as simd_kernels.h: templates over V only, no standard library code.
#include <cstdint>

#include "cpu/kernels.h"
#include "cpu/simd_kernels.h"

namespace hearth::cpu::simd {

// Loads weights of one storage format as float vectors.
template <class V, WeightFormat Format>
struct WeightLoad;

template <class V>
struct WeightLoad<V, WeightFormat::f32> {
  using Element = float;
  static typename V::Reg full(const float* p) { return V::load(p); }
  static typename V::Reg partial(const float* p, int64_t n) { return V::load_partial(p, n); }
};

template <class V>
struct WeightLoad<V, WeightFormat::f16> {
  using Element = uint16_t;
  static typename V::Reg full(const uint16_t* p) { return V::load_f16(p); }
  static typename V::Reg partial(const uint16_t* p, int64_t n) { return V::load_f16_partial(p, n); }
};

template <class V>
struct WeightLoad<V, WeightFormat::bf16> {
  using Element = uint16_t;
  static typename V::Reg full(const uint16_t* p) { return V::load_bf16(p); }
  static typename V::Reg partial(const uint16_t* p, int64_t n) { return V::load_bf16_partial(p, n); }
};

// ---------------------------------------------------------------- matrix-vector

// Four weight rows per pass: x is loaded once for four rows, and four independent FMA chains hide the FMA
// latency, which is all a memory-bound kernel needs.
constexpr int64_t kGemvRows = 4;

template <class V, WeightFormat Format>
void gemv_rows(const float* x, const typename WeightLoad<V, Format>::Element* w, int64_t n_in, float* y) {
  using Load = WeightLoad<V, Format>;
  using Reg = typename V::Reg;
  Reg acc[kGemvRows];
  for (int r = 0; r < kGemvRows; ++r) acc[r] = V::zero();
  int64_t i = 0;
  for (; i + V::kLanes <= n_in; i += V::kLanes) {
    const Reg xv = V::load(x + i);
    for (int r = 0; r < kGemvRows; ++r) acc[r] = V::mul_add(Load::full(w + r * n_in + i), xv, acc[r]);
  }
  if (i < n_in) {
    const Reg xv = V::load_partial(x + i, n_in - i);
    for (int r = 0; r < kGemvRows; ++r) acc[r] = V::mul_add(Load::partial(w + r * n_in + i, n_in - i), xv, acc[r]);
  }
  for (int r = 0; r < kGemvRows; ++r) y[r] = V::reduce_add(acc[r]);
}

template <class V, WeightFormat Format>
float gemv_row(const float* x, const typename WeightLoad<V, Format>::Element* w, int64_t n_in) {
  using Load = WeightLoad<V, Format>;
  typename V::Reg acc = V::zero();
  int64_t i = 0;
  for (; i + V::kLanes <= n_in; i += V::kLanes) acc = V::mul_add(Load::full(w + i), V::load(x + i), acc);
  if (i < n_in) acc = V::mul_add(Load::partial(w + i, n_in - i), V::load_partial(x + i, n_in - i), acc);
  return V::reduce_add(acc);
}

template <class V, WeightFormat Format>
void gemv(const LinearArgs& args) {
  const auto* weights = static_cast<const typename WeightLoad<V, Format>::Element*>(args.weights);
  for (int64_t t = 0; t < args.n_tokens; ++t) {
    const float* x = args.x + t * args.x_stride;
    float* y = args.y + t * args.y_stride;
    int64_t o = 0;
    for (; o + kGemvRows <= args.n_out; o += kGemvRows) gemv_rows<V, Format>(x, weights + o * args.n_in, args.n_in, y + o);
    for (; o < args.n_out; ++o) y[o] = gemv_row<V, Format>(x, weights + o * args.n_in, args.n_in);
  }
}

// ---------------------------------------------------------------- matrix-matrix

// A panel is kPanelColumns = 2 vectors of output columns (weight rows) over kDepthBlock inputs, converted to
// f32 and stored k-major so the micro tile reads it with two aligned loads per step. 256 inputs keep the
// panel in L1 (16 KiB with AVX2, 32 KiB with AVX-512) while the token rows it meets stream from L2.
constexpr int64_t kDepthBlock = 256;

template <class V>
constexpr int64_t kPanelColumns = 2 * V::kLanes;

template <class V, WeightFormat Format>
void pack_panel(const typename WeightLoad<V, Format>::Element* w, int64_t n_in, int64_t columns, int64_t depth,
                float* panel) {
  using Load = WeightLoad<V, Format>;
  constexpr int64_t kColumns = kPanelColumns<V>;
  alignas(64) float converted[V::kLanes];
  for (int64_t c = 0; c < columns; ++c) {
    const auto* row = w + c * n_in;
    for_each_vector<V>(depth, [&](int64_t k, int64_t count) {
      V::store(converted, count == V::kLanes ? Load::full(row + k) : Load::partial(row + k, count));
      for (int64_t j = 0; j < count; ++j) panel[(k + j) * kColumns + c] = converted[j];
    });
  }
  for (int64_t c = columns; c < kColumns; ++c) {
    for (int64_t k = 0; k < depth; ++k) panel[k * kColumns + c] = 0.0f;
  }
}

// y[Rows, kPanelColumns] (+)= x[Rows, depth] · panel[depth, kPanelColumns], the accumulators held in
// 2·Rows registers for the whole depth.
template <class V, int Rows>
void micro_tile(const float* x, int64_t x_stride, const float* panel, int64_t depth, float* y, int64_t y_stride,
                int64_t columns, bool accumulate) {
  using Reg = typename V::Reg;
  constexpr int64_t kColumns = kPanelColumns<V>;
  Reg acc[Rows][2];
  for (int r = 0; r < Rows; ++r) acc[r][0] = acc[r][1] = V::zero();
  for (int64_t k = 0; k < depth; ++k) {
    const Reg w0 = V::load(panel + k * kColumns);
    const Reg w1 = V::load(panel + k * kColumns + V::kLanes);
    for (int r = 0; r < Rows; ++r) {
      const Reg xv = V::set1(x[r * x_stride + k]);
      acc[r][0] = V::mul_add(xv, w0, acc[r][0]);
      acc[r][1] = V::mul_add(xv, w1, acc[r][1]);
    }
  }
  const int64_t first = columns < V::kLanes ? columns : V::kLanes;
  const int64_t second = columns - first;
  for (int r = 0; r < Rows; ++r) {
    float* out = y + r * y_stride;
    if (accumulate) {
      acc[r][0] = V::add(acc[r][0], load_n<V>(out, first));
      if (second > 0) acc[r][1] = V::add(acc[r][1], load_n<V>(out + V::kLanes, second));
    }
    store_n<V>(out, acc[r][0], first);
    if (second > 0) store_n<V>(out + V::kLanes, acc[r][1], second);
  }
}

// Picks the micro tile for the `rows` (≤ Rows) tokens left, so the token tail keeps vector code.
template <class V, int Rows>
void micro_tile_rows(int64_t rows, const float* x, int64_t x_stride, const float* panel, int64_t depth, float* y,
                     int64_t y_stride, int64_t columns, bool accumulate) {
  if (rows == Rows) {
    micro_tile<V, Rows>(x, x_stride, panel, depth, y, y_stride, columns, accumulate);
  } else if constexpr (Rows > 1) {
    micro_tile_rows<V, Rows - 1>(rows, x, x_stride, panel, depth, y, y_stride, columns, accumulate);
  }
}

template <class V, WeightFormat Format>
void gemm(const LinearArgs& args) {
  const auto* weights = static_cast<const typename WeightLoad<V, Format>::Element*>(args.weights);
  constexpr int64_t kColumns = kPanelColumns<V>;
  alignas(64) float panel[kDepthBlock * kColumns];
  for (int64_t o = 0; o < args.n_out; o += kColumns) {
    const int64_t columns = args.n_out - o < kColumns ? args.n_out - o : kColumns;
    for (int64_t k = 0; k < args.n_in; k += kDepthBlock) {
      const int64_t depth = args.n_in - k < kDepthBlock ? args.n_in - k : kDepthBlock;
      pack_panel<V, Format>(weights + o * args.n_in + k, args.n_in, columns, depth, panel);
      for (int64_t t = 0; t < args.n_tokens; t += V::kGemmRows) {
        const int64_t rows = args.n_tokens - t < V::kGemmRows ? args.n_tokens - t : V::kGemmRows;
        micro_tile_rows<V, V::kGemmRows>(rows, args.x + t * args.x_stride + k, args.x_stride, panel, depth,
                                         args.y + t * args.y_stride + o, args.y_stride, columns, k > 0);
      }
    }
  }
}

}  // namespace hearth::cpu::simd
