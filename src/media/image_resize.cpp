#include "media/image_resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace hearth::media {
namespace {

double filter_weight(ResampleFilter filter, double x) {
  x = std::fabs(x);
  if (filter == ResampleFilter::bilinear) return x < 1.0 ? 1.0 - x : 0.0;
  constexpr double a = -0.5;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

// For each output sample along one axis: the first input sample it reads, how many, and their weights
// (taps apart in `weights`).
struct AxisKernel {
  std::vector<int64_t> first, count;
  std::vector<double> weights;
  int64_t taps = 0;
};

AxisKernel axis_kernel(int64_t in_size, int64_t out_size, ResampleFilter filter) {
  const double support_radius = filter == ResampleFilter::bilinear ? 1.0 : 2.0;
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double filter_scale = std::max(scale, 1.0);  // widen only when shrinking
  const double support = support_radius * filter_scale;
  const double inverse_filter_scale = 1.0 / filter_scale;
  AxisKernel kernel;
  kernel.taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  kernel.first.resize(out_size);
  kernel.count.resize(out_size);
  kernel.weights.assign(static_cast<size_t>(out_size * kernel.taps), 0.0);
  std::vector<double> w(kernel.taps);
  for (int64_t o = 0; o < out_size; ++o) {
    const double center = (static_cast<double>(o) + 0.5) * scale;
    // Truncation toward zero, as Pillow's int casts.
    const int64_t begin = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t end = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in_size);
    const int64_t n = end - begin;
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      w[i] = filter_weight(filter, (static_cast<double>(i + begin) - center + 0.5) * inverse_filter_scale);
      total += w[i];
    }
    for (int64_t i = 0; i < n; ++i) kernel.weights[o * kernel.taps + i] = total != 0.0 ? w[i] / total : w[i];
    kernel.first[o] = begin;
    kernel.count[o] = n;
  }
  return kernel;
}

// An image being resampled, unrounded: [height][width][3].
struct FloatImage {
  int64_t width = 0, height = 0;
  std::vector<double> values;
};

FloatImage to_float(const RgbImage& image) {
  return {image.width, image.height, std::vector<double>(image.pixels.begin(), image.pixels.end())};
}

FloatImage resample_horizontal(const FloatImage& in, int64_t width, ResampleFilter filter) {
  const AxisKernel k = axis_kernel(in.width, width, filter);
  FloatImage out{width, in.height, std::vector<double>(static_cast<size_t>(width * in.height * 3))};
  for (int64_t y = 0; y < in.height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      const double* w = k.weights.data() + x * k.taps;
      const double* src = in.values.data() + (y * in.width + k.first[x]) * 3;
      double sum[3] = {0, 0, 0};
      for (int64_t i = 0; i < k.count[x]; ++i) {
        for (int c = 0; c < 3; ++c) sum[c] += src[3 * i + c] * w[i];
      }
      std::memcpy(out.values.data() + (y * width + x) * 3, sum, sizeof sum);
    }
  }
  return out;
}

FloatImage resample_vertical(const FloatImage& in, int64_t height, ResampleFilter filter) {
  const AxisKernel k = axis_kernel(in.height, height, filter);
  const int64_t row_values = in.width * 3;
  FloatImage out{in.width, height, std::vector<double>(static_cast<size_t>(row_values * height), 0.0)};
  for (int64_t y = 0; y < height; ++y) {
    double* dst = out.values.data() + y * row_values;
    for (int64_t i = 0; i < k.count[y]; ++i) {
      const double* src = in.values.data() + (k.first[y] + i) * row_values;
      const double w = k.weights[y * k.taps + i];
      for (int64_t v = 0; v < row_values; ++v) dst[v] += src[v] * w;
    }
  }
  return out;
}

}  // namespace

RgbImage resize_image(const RgbImage& image, int64_t width, int64_t height, ResampleFilter filter) {
  if (width == image.width && height == image.height) return image;
  FloatImage resampled = to_float(image);
  if (width != image.width) resampled = resample_horizontal(resampled, width, filter);
  if (height != image.height) resampled = resample_vertical(resampled, height, filter);
  RgbImage out = make_rgb_image(width, height);
  // Truncated, with a margin for the rounding of the weights' sum so that a flat area keeps its value.
  constexpr double kWeightSumMargin = 1e-3;
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    out.pixels[i] = static_cast<uint8_t>(std::clamp(resampled.values[i] + kWeightSumMargin, 0.0, 255.0));
  }
  return out;
}

RgbImage letterbox_image(const RgbImage& image, int64_t width, int64_t height, ResampleFilter filter,
                         std::array<uint8_t, 3> pad) {
  if (image.width == width && image.height == height) return image;
  // Float arithmetic throughout, as llama.cpp: it decides the fitted size to the pixel.
  const float scale = std::min(static_cast<float>(width) / static_cast<float>(image.width),
                               static_cast<float>(height) / static_cast<float>(image.height));
  const int64_t fitted_width = std::min<int64_t>(static_cast<int64_t>(std::ceil(static_cast<float>(image.width) * scale)), width);
  const int64_t fitted_height = std::min<int64_t>(static_cast<int64_t>(std::ceil(static_cast<float>(image.height) * scale)), height);
  const RgbImage fitted = resize_image(image, std::max<int64_t>(fitted_width, 1), std::max<int64_t>(fitted_height, 1), filter);
  RgbImage canvas = make_rgb_image(width, height);
  for (int64_t i = 0; i < width * height; ++i) std::memcpy(canvas.pixels.data() + 3 * i, pad.data(), 3);
  const int64_t left = (width - fitted.width) / 2, top = (height - fitted.height) / 2;
  for (int64_t y = 0; y < fitted.height; ++y) {
    std::memcpy(canvas.pixel(left, top + y), fitted.pixel(0, y), static_cast<size_t>(fitted.width * 3));
  }
  return canvas;
}

}  // namespace hearth::media
