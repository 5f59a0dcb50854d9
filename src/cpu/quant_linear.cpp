#include "cpu/quant_linear.h"

#include <algorithm>
#include <vector>

#include "cpu/interleaved_weights.h"
#include "cpu/weight_formats.h"
#include "tensor/quants.h"

namespace hearth::cpu {
namespace {

// Below this many weight bytes per thread a matrix-vector product is not worth waking another thread for.
constexpr int64_t kMinGemvBytesPerThread = 64 * 1024;
// Slices of a matrix-vector product per thread, taken as threads come free.
constexpr int64_t kGemvSlicesPerThread = 8;
// Output rows per matrix-matrix task: enough tasks for load balance on a few cores.
constexpr int64_t kOutputBlock = 64;
// Tokens per block of the matrix-matrix path: each 8-row panel is unpacked once per block, so a block should
// hold enough tokens to pay for it; the block's activations (n_in bytes per token) are read again for every
// panel and come from L2 or L3, which keeps up with the dot kernels' 8 MACs per activation byte.
constexpr int64_t kActivationBlockBytes = 1024 * 1024;
constexpr int64_t kMinBlockTokens = 128;
// Rows per task of the dequantizing path: 16 f32 rows of 4096 values (256 KiB) stay in L2.
constexpr int64_t kDequantRows = 16;
// Tokens per task of the dequantizing path, as the F32 path of ops.cpp.
constexpr int64_t kDequantTokenBlock = 192;
// Below this many activation values quantizing runs on the calling thread.
constexpr int64_t kMinQuantizeValuesPerThread = 16 * 1024;

struct ActivationBuffer {
  std::vector<int8_t> q;
  std::vector<float> d, s;
  std::vector<int32_t> sums;
  std::vector<int16_t> bsums;

  QuantizedActivations view(ActivationFormat format, int64_t n_tokens, int64_t n_in) {
    q.resize(n_tokens * n_in);
    d.resize(n_tokens * n_in / activation_block_elements(format));
    if (format == ActivationFormat::q8_1) s.resize(n_tokens * n_in / 32);
    if (format != ActivationFormat::q8_k) sums.resize(n_tokens * n_in / 32);
    if (format == ActivationFormat::q8_k) bsums.resize(n_tokens * n_in / 16);
    return {q.data(), d.data(), s.data(), sums.data(), bsums.data(), n_in};
  }
};

// One thread's panel, sized for the largest n_in seen.
struct PanelBuffer {
  std::vector<int8_t> q;
  std::vector<float> d, m;
  std::vector<int16_t> scales, mins;

  WeightPanel view(int64_t n_in) {
    q.resize(kPanelRows * n_in);
    d.resize(kPanelRows * n_in / 32);
    m.resize(kPanelRows * n_in / 32);
    scales.resize(kPanelRows * n_in / 2);
    mins.resize(kPanelRows * n_in / 16);
    return {q.data(), d.data(), m.data(), scales.data(), mins.data(), n_in};
  }
};

PanelBuffer& thread_panel() {
  thread_local PanelBuffer panel;
  return panel;
}

QuantizedActivations quantize_activations(const OpContext& ctx, ActivationFormat format, const float* x, int64_t n_tokens,
                                          int64_t n_in) {
  thread_local ActivationBuffer buffer;
  const QuantizedActivations out = buffer.view(format, n_tokens, n_in);
  const QuantizeActivationsFn quantize = ctx.kernels->quantize_fn(format);
  for_row_slices(*ctx.pool, n_tokens, n_in, kMinQuantizeValuesPerThread, [&](int64_t begin, int64_t end) {
    quantize(x + begin * n_in, n_in, end - begin, out, begin);
  });
  return out;
}

// y[t, o] for o in [first_row, end_row) and t in [first_token, end_token): each panel of rows is unpacked once
// and meets the tokens kPanelTokens at a time.
void panel_rows(const QuantLinearKernels& kernels, const WeightMatrix& weights, int64_t row_bytes,
                const QuantizedActivations& x, int64_t first_row, int64_t end_row, int64_t first_token,
                int64_t end_token, float* y) {
  const WeightPanel panel = thread_panel().view(weights.n_in);
  thread_local std::vector<uint8_t> deinterleaved;
  for (int64_t o = first_row; o < end_row; o += kPanelRows) {
    const int64_t rows = std::min(kPanelRows, end_row - o);
    kernels.unpack(rows_of(weights, o, rows, deinterleaved), row_bytes, rows, panel);
    for (int64_t t = first_token; t < end_token; t += kPanelTokens) {
      kernels.dot(panel, rows, x, t, std::min(kPanelTokens, end_token - t), y + t * weights.n_out + o, weights.n_out);
    }
  }
}

}  // namespace

void quantized_linear(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& weights, float* y) {
  const int64_t n_in = weights.n_in;
  const int64_t n_out = weights.n_out;
  const QuantizedActivations activations =
      quantize_activations(ctx, activation_format_of(weights.format), x, n_tokens, n_in);
  const QuantLinearKernels& kernels = ctx.kernels->quant_fn(weights.format);
  const int64_t row_bytes = weight_row_bytes(weights.format, n_in);
  if (n_tokens <= kGemvMaxTokens) {
    // Slices of whole groups when the interleaved kernel reads the matrix, else of rows (de-interleaved for
    // a table without that kernel).
    const bool by_groups = weights.layout == WeightLayout::interleaved && kernels.gemv_interleaved;
    const int64_t slice_rows = by_groups ? kInterleaveRows : 1;
    for_row_slices(
        *ctx.pool, n_out / slice_rows, slice_rows * row_bytes, kMinGemvBytesPerThread,
        [&](int64_t begin, int64_t end) {
          const int64_t first_row = begin * slice_rows, n_rows = (end - begin) * slice_rows;
          if (by_groups) {
            kernels.gemv_interleaved(static_cast<const uint8_t*>(weights.data) + first_row * row_bytes, row_bytes, n_rows,
                                     activations, 0, n_tokens, y + first_row, n_out);
            return;
          }
          thread_local std::vector<uint8_t> deinterleaved;
          kernels.gemv(rows_of(weights, first_row, n_rows, deinterleaved), row_bytes, n_rows, activations, 0, n_tokens,
                       y + first_row, n_out);
        },
        kGemvSlicesPerThread);
    return;
  }
  // Token blocks of whole panel-token steps.
  const int64_t max_block = std::max(kMinBlockTokens, kActivationBlockBytes / n_in / kPanelTokens * kPanelTokens);
  const int64_t per_block = (balanced_block_size(n_tokens, max_block) + kPanelTokens - 1) / kPanelTokens * kPanelTokens;
  for_each_tile(*ctx.pool, n_tokens, per_block, n_out, kOutputBlock, Schedule::chunked,
                [&](int64_t t0, int64_t t_end, int64_t o0, int64_t o_end) {
                  panel_rows(kernels, weights, row_bytes, activations, o0, o_end, t0, t_end, y);
                });
}

void dequantized_linear(const OpContext& ctx, const float* x, int64_t n_tokens, const WeightMatrix& weights, float* y) {
  const int64_t n_in = weights.n_in;
  const int64_t n_out = weights.n_out;
  const int64_t row_bytes = weight_row_bytes(weights.format, n_in);
  const TensorType type = tensor_type_of(weights.format);
  const LinearFn kernel = n_tokens == 1 ? ctx.kernels->gemv_fn(WeightFormat::f32) : ctx.kernels->gemm_fn(WeightFormat::f32);
  for_each_tile(*ctx.pool, n_tokens, balanced_block_size(n_tokens, kDequantTokenBlock), n_out, kDequantRows,
                n_tokens == 1 ? Schedule::static_ranges : Schedule::chunked,
                [&](int64_t t0, int64_t t_end, int64_t o0, int64_t o_end) {
                  const int64_t rows = o_end - o0;
                  thread_local std::vector<float> dequantized;
                  dequantized.resize(rows * n_in);
                  thread_local std::vector<uint8_t> deinterleaved;
                  const uint8_t* bytes = rows_of(weights, o0, rows, deinterleaved);
                  for (int64_t r = 0; r < rows; ++r) {
                    // Cannot fail: every quantized WeightFormat is dequantizable and n_in is whole blocks (WeightMatrix).
                    static_cast<void>(dequantize_row(type, bytes + r * row_bytes, dequantized.data() + r * n_in, n_in));
                  }
                  kernel({x + t0 * n_in, n_in, dequantized.data(), n_in, rows, t_end - t0, y + t0 * n_out + o0, n_out});
                });
}

}  // namespace hearth::cpu
