#pragma once
// Shared helpers for the quantized linear tests: random weights of every quantized format, activations
// quantized by one kernel table, a single-threaded run of a table's panel kernels, and the reference
// Σ dequantize(w)·dequantize(x) in double.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/kernels.h"
#include "cpu/weight_formats.h"
#include "tensor/fp16.h"
#include "tensor/quants.h"

namespace hearth::cpu::testing {

inline constexpr WeightFormat kQuantFormats[] = {
    WeightFormat::q8_0, WeightFormat::q4_0, WeightFormat::q4_k, WeightFormat::q6_k, WeightFormat::q5_k,
    WeightFormat::iq4_nl, WeightFormat::q4_1, WeightFormat::q5_0, WeightFormat::q5_1, WeightFormat::q2_k,
    WeightFormat::q3_k, WeightFormat::iq4_xs, WeightFormat::mxfp4,
};

inline std::string format_name(WeightFormat format) { return std::string(type_info(tensor_type_of(format)).name); }

// Bytes that may start anywhere: data() is `offset` bytes past a 64-byte boundary.
class Bytes {
 public:
  Bytes(int64_t n, int64_t offset) : storage_(n + offset + 64), offset_(offset) {}
  uint8_t* data() {
    const auto address = reinterpret_cast<uintptr_t>(storage_.data());
    return storage_.data() + (64 - address % 64) % 64 + offset_;
  }
  const uint8_t* data() const { return const_cast<Bytes*>(this)->data(); }

 private:
  std::vector<uint8_t> storage_;
  int64_t offset_;
};

// n_out rows of n_in weights, one byte past an aligned start. The values are Gaussian with a few large
// outliers (as trained weights have), quantized with the reference quantizer; MXFP4, which hearth does not
// quantize, gets random codes with exponents near 2^0.
inline Bytes random_weights(WeightFormat format, int64_t n_out, int64_t n_in, uint32_t seed) {
  const int64_t row_bytes = weight_row_bytes(format, n_in);
  Bytes bytes(n_out * row_bytes, 1);
  std::mt19937 rng(seed);
  if (format == WeightFormat::mxfp4) {
    std::uniform_int_distribution<int> byte(0, 255), exponent(120, 130);
    for (int64_t i = 0; i < n_out * row_bytes; ++i) bytes.data()[i] = static_cast<uint8_t>(i % 17 == 0 ? exponent(rng) : byte(rng));
    return bytes;
  }
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> row(n_in);
  for (int64_t r = 0; r < n_out; ++r) {
    for (int64_t i = 0; i < n_in; ++i) row[i] = normal(rng) * (i % 61 == 0 ? 8.0f : 1.0f);
    const Result<uint64_t> written = quantize_row(tensor_type_of(format), row.data(), bytes.data() + r * row_bytes, n_in);
    EXPECT_TRUE(written.ok());
  }
  return bytes;
}

// Owns QuantizedActivations for n_tokens rows, each array one element past an aligned start.
struct ActivationStorage {
  ActivationStorage(int64_t n_tokens, int64_t n_in)
      : q(n_tokens * n_in + 64), d(n_tokens * n_in / 32 + 16), s(n_tokens * n_in / 32 + 16), sums(n_tokens * n_in / 32 + 16),
        bsums(n_tokens * n_in / 16 + 32),
        view{q.data() + 1, d.data() + 1, s.data() + 1, sums.data() + 1, bsums.data() + 1, n_in} {}
  std::vector<int8_t> q;
  std::vector<float> d, s;
  std::vector<int32_t> sums;
  std::vector<int16_t> bsums;
  QuantizedActivations view;
};

// Row `token` of quantized activations as floats: q·d per block.
inline std::vector<float> dequantized_activation(const QuantizedActivations& x, ActivationFormat format, int64_t token) {
  const int64_t block = activation_block_elements(format);
  std::vector<float> values(x.n_in);
  for (int64_t i = 0; i < x.n_in; ++i) {
    values[i] = static_cast<float>(x.q[token * x.n_in + i]) * x.d[(token * x.n_in + i) / block];
  }
  return values;
}

// Q4_1 / Q5_1 meet Q8_1 activations through s = fp16(d·Σq) rather than d·Σq (spec/quants.md §9): the
// amount to add to the dequantized reference, Σ_blocks m_w·(s − d·Σq), for one weight row and token.
inline double q8_1_sum_rounding(WeightFormat format, const uint8_t* weight_row, const QuantizedActivations& x, int64_t token) {
  static_assert(offsetof(BlockQ4_1, m) == offsetof(BlockQ5_1, m));
  const int64_t block_bytes = weight_row_bytes(format, 32);
  const int64_t n_blocks = x.n_in / 32;
  double correction = 0.0;
  for (int64_t b = 0; b < n_blocks; ++b) {
    uint16_t m_bits;
    std::memcpy(&m_bits, weight_row + b * block_bytes + offsetof(BlockQ4_1, m), 2);
    int sum = 0;
    for (int64_t j = 0; j < 32; ++j) sum += x.q[token * x.n_in + 32 * b + j];
    const double exact = static_cast<double>(x.d[token * n_blocks + b]) * sum;
    correction += static_cast<double>(fp16_to_f32(m_bits)) * (static_cast<double>(x.s[token * n_blocks + b]) - exact);
  }
  return correction;
}

// y [n_tokens, n_out] for tokens first_token.. of x from `gemv` called twice, on rows [0, split) and
// [split, n_out) of `rows` (row_bytes apart; for interleaved groups, split is on a group boundary), into
// outputs with a wider stride. NaN marks what no call may write, and a write there fails the test.
inline std::vector<float> gemv_in_two_calls(QuantGemvFn gemv, const uint8_t* rows, int64_t row_bytes, int64_t n_out,
                                            int64_t split, const QuantizedActivations& x, int64_t first_token,
                                            int64_t n_tokens) {
  const int64_t y_stride = n_out + 3;
  std::vector<float> y(n_tokens * y_stride, std::numeric_limits<float>::quiet_NaN());
  gemv(rows, row_bytes, split, x, first_token, n_tokens, y.data(), y_stride);
  gemv(rows + split * row_bytes, row_bytes, n_out - split, x, first_token, n_tokens, y.data() + split, y_stride);
  std::vector<float> got(n_tokens * n_out);
  for (int64_t t = 0; t < n_tokens; ++t) {
    std::copy_n(y.data() + t * y_stride, n_out, got.data() + t * n_out);
    for (int64_t o = n_out; o < y_stride; ++o) EXPECT_TRUE(std::isnan(y[t * y_stride + o])) << "token " << t;
  }
  return got;
}

// y [n_tokens, n_out] with `table`'s kernels, one thread, panel buffers misaligned by one element.
inline void run_panel_kernels(const Kernels& table, WeightFormat format, const uint8_t* weights, int64_t n_out,
                              const QuantizedActivations& x, int64_t n_tokens, float* y) {
  const int64_t n_in = x.n_in;
  const int64_t row_bytes = weight_row_bytes(format, n_in);
  std::vector<int8_t> q(kPanelRows * n_in + 1);
  std::vector<float> d(kPanelRows * n_in / 32 + 1), m(kPanelRows * n_in / 32 + 1);
  std::vector<int16_t> scales(kPanelRows * n_in / 2 + 1), mins(kPanelRows * n_in / 16 + 1);
  const WeightPanel panel{q.data() + 1, d.data() + 1, m.data() + 1, scales.data() + 1, mins.data() + 1, n_in};
  const QuantLinearKernels& kernels = table.quant_fn(format);
  for (int64_t o = 0; o < n_out; o += kPanelRows) {
    const int64_t rows = std::min(kPanelRows, n_out - o);
    kernels.unpack(weights + o * row_bytes, row_bytes, rows, panel);
    for (int64_t t = 0; t < n_tokens; t += kPanelTokens) {
      kernels.dot(panel, rows, x, t, std::min(kPanelTokens, n_tokens - t), y + t * n_out + o, n_out);
    }
  }
}

// Σ_i dequantize(w)[o, i] · x[t, i] in double for float activations x [n_tokens, n_in].
inline std::vector<float> reference_linear(WeightFormat format, const uint8_t* weights, int64_t n_out,
                                           const std::vector<std::vector<float>>& x, int64_t n_in) {
  const int64_t row_bytes = weight_row_bytes(format, n_in);
  const auto n_tokens = static_cast<int64_t>(x.size());
  std::vector<float> row(n_in), y(n_tokens * n_out);
  for (int64_t o = 0; o < n_out; ++o) {
    EXPECT_TRUE(dequantize_row(tensor_type_of(format), weights + o * row_bytes, row.data(), n_in).ok());
    for (int64_t t = 0; t < n_tokens; ++t) {
      double sum = 0.0;
      for (int64_t i = 0; i < n_in; ++i) sum += static_cast<double>(row[i]) * x[t][i];
      y[t * n_out + o] = static_cast<float>(sum);
    }
  }
  return y;
}

}  // namespace hearth::cpu::testing
