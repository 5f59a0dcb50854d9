#include "cpu/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace hearth::cpu {
namespace {

// Channels per conv1d task: a multiple of every vector width, and enough work to be worth a thread.
constexpr int64_t kChannelsPerTask = 512;
// Output pixels per im2col tile: the tile's columns (pixels × C·kh·kw, 1.2 MB for the 128-channel SSCP conv)
// stay bounded whatever the image size, and 256 token rows still run the cache-blocked matrix kernel.
constexpr int64_t kPixelsPerTile = 256;

float image_value(const Image& image, int64_t c, int64_t y, int64_t x) {
  if (image.layout == ImageLayout::chw) return image.data[(c * image.height + y) * image.width + x];
  return image.data[(y * image.width + x) * image.channels + c];
}

// Rows [first_pixel, first_pixel + n_pixels) of the im2col matrix: one row per output pixel, columns in the
// weight order (channel, ky, kx), zeros where the kernel hangs over the padding.
void im2col(const Image& image, const Conv2dParams& p, int64_t out_w, int64_t first_pixel, int64_t n_pixels,
            float* columns) {
  const int64_t n_in = image.channels * p.kernel_h * p.kernel_w;
  for (int64_t i = 0; i < n_pixels; ++i) {
    const int64_t oy = (first_pixel + i) / out_w;
    const int64_t ox = (first_pixel + i) % out_w;
    float* row = columns + i * n_in;
    for (int64_t c = 0; c < image.channels; ++c) {
      for (int64_t ky = 0; ky < p.kernel_h; ++ky) {
        const int64_t y = oy * p.stride_h - p.pad_h + ky;
        for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
          const int64_t x = ox * p.stride_w - p.pad_w + kx;
          const bool inside = y >= 0 && y < image.height && x >= 0 && x < image.width;
          *row++ = inside ? image_value(image, c, y, x) : 0.0f;
        }
      }
    }
  }
}

}  // namespace

void depthwise_conv1d(const OpContext& ctx, const float* x, int64_t n_seqs, int64_t n_tokens, const float* weight,
                      int64_t kernel, int64_t channels, float* state, float* y) {
  const int64_t history = kernel - 1;
  const int64_t window_rows = history + n_tokens;
  // Taps transposed to [kernel, channels] so the kernel reads each tap as a contiguous row.
  thread_local std::vector<float> taps;
  thread_local std::vector<float> windows;
  taps.resize(kernel * channels);
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = 0; i < kernel; ++i) taps[i * channels + c] = weight[c * kernel + i];
  }
  // Per sequence the window [kernel − 1 earlier inputs, the new inputs], so every output reads one buffer.
  windows.resize(n_seqs * window_rows * channels);
  for (int64_t s = 0; s < n_seqs; ++s) {
    float* window = windows.data() + s * window_rows * channels;
    if (state != nullptr) {
      std::memcpy(window, state + s * history * channels, history * channels * sizeof(float));
    } else {
      std::fill(window, window + history * channels, 0.0f);
    }
    std::memcpy(window + history * channels, x + s * n_tokens * channels, n_tokens * channels * sizeof(float));
  }
  const int64_t slices = (channels + kChannelsPerTask - 1) / kChannelsPerTask;
  // Plain pointers: inside the task, the thread_local names would mean the worker thread's own buffers.
  const float* all_windows = windows.data();
  const float* all_taps = taps.data();
  const auto run = [&](int64_t task, int) {
    const int64_t s = task / slices;
    const int64_t c0 = task % slices * kChannelsPerTask;
    ctx.kernels->depthwise_conv1d(all_windows + s * window_rows * channels + c0, all_taps + c0, channels, kernel,
                                  std::min(kChannelsPerTask, channels - c0), n_tokens,
                                  y + s * n_tokens * channels + c0);
  };
  // One decode step (a few thousand FMAs) is cheaper than waking the pool.
  if (n_seqs * n_tokens * channels * kernel < int64_t{1} << 16) {
    for (int64_t task = 0; task < n_seqs * slices; ++task) run(task, 0);
  } else {
    ctx.pool->parallel_for(n_seqs * slices, run);
  }
  if (state == nullptr) return;
  for (int64_t s = 0; s < n_seqs; ++s) {
    const float* window = windows.data() + s * window_rows * channels;
    std::memcpy(state + s * history * channels, window + n_tokens * channels, history * channels * sizeof(float));
  }
}

int64_t conv2d_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t pad) {
  return (input + 2 * pad - kernel) / stride + 1;
}

void conv2d(const OpContext& ctx, const Image& image, const WeightMatrix& weights, const Conv2dParams& params,
            float* y) {
  const int64_t out_h = conv2d_output_size(image.height, params.kernel_h, params.stride_h, params.pad_h);
  const int64_t out_w = conv2d_output_size(image.width, params.kernel_w, params.stride_w, params.pad_w);
  const int64_t n_pixels = out_h * out_w;
  thread_local std::vector<float> columns;
  columns.resize(std::min(kPixelsPerTile, n_pixels) * weights.n_in);
  for (int64_t first = 0; first < n_pixels; first += kPixelsPerTile) {
    const int64_t count = std::min(kPixelsPerTile, n_pixels - first);
    im2col(image, params, out_w, first, count, columns.data());
    linear(ctx, columns.data(), count, weights, y + first * weights.n_out);
  }
}

void avg_pool2d(const OpContext& ctx, const float* x, int64_t height, int64_t width, int64_t channels, int64_t k,
                float* y) {
  const int64_t out_h = height / k;
  const int64_t out_w = width / k;
  const float inverse_area = 1.0f / static_cast<float>(k * k);
  ctx.pool->parallel_for(out_h, [&](int64_t by, int) {
    for (int64_t bx = 0; bx < out_w; ++bx) {
      float* cell = y + (by * out_w + bx) * channels;
      std::fill(cell, cell + channels, 0.0f);
      for (int64_t dy = 0; dy < k; ++dy) {
        for (int64_t dx = 0; dx < k; ++dx) {
          ctx.kernels->add(cell, x + ((by * k + dy) * width + bx * k + dx) * channels, cell, channels);
        }
      }
      ctx.kernels->scale(cell, inverse_area, cell, channels);
    }
  });
}

}  // namespace hearth::cpu
