#include "models/gemma4/vision_encoder.h"

#include <cmath>

#include "cpu/conv.h"
#include "models/gemma4/vision_block.h"
#include "models/gemma4/vision_preprocess.h"

namespace hearth::models::gemma4 {
namespace {

using Rows = std::vector<float>;

// §5.2 step 1 and the patch layout of v.patch_embd: one row per patch (row-major over the patch grid), its
// values ordered (channel, pixel row, pixel column), each pixel (u8/255 − mean)/std then 2x − 1.
Rows patch_rows(const VisionConfig& c, const media::RgbImage& image) {
  const int64_t p = c.patch_size;
  const int64_t n_px = image.width / p, n_py = image.height / p;
  Rows rows(static_cast<size_t>(n_px * n_py * 3 * p * p));
  float* out = rows.data();
  for (int64_t py = 0; py < n_py; ++py) {
    for (int64_t px = 0; px < n_px; ++px) {
      for (int64_t channel = 0; channel < 3; ++channel) {
        for (int64_t y = 0; y < p; ++y) {
          for (int64_t x = 0; x < p; ++x) {
            const float unit = static_cast<float>(image.pixel(px * p + x, py * p + y)[channel]) / 255.0f;
            *out++ = (unit - c.image_mean[channel]) / c.image_std[channel] * 2.0f - 1.0f;
          }
        }
      }
    }
  }
  return rows;
}

}  // namespace

Result<VisionEncoder> VisionEncoder::load(const gguf::GgufFile& file) {
  Result<VisionConfig> config = load_vision_config(file);
  if (!config) return Error{config.error()};
  Result<VisionWeights> weights = load_vision_weights(file, *config);
  if (!weights) return Error{weights.error()};
  return VisionEncoder(std::move(*config), std::move(*weights));
}

Result<ImageEmbeddings> encode_image(const VisionEncoder& encoder, const media::RgbImage& image, const ImageTokenBudget& budget,
                                     const VisionRunOptions& options) {
  Result<media::RgbImage> resized = preprocess_image(encoder.config(), image, budget);
  if (!resized) return Error{resized.error()};
  return encode_preprocessed_image(encoder, *resized, options);
}

Result<ImageEmbeddings> encode_preprocessed_image(const VisionEncoder& encoder, const media::RgbImage& image,
                                                  const VisionRunOptions& options) {
  const VisionConfig& c = encoder.config();
  const VisionWeights& w = encoder.weights();
  const int64_t side = c.token_pixels();
  if (image.width <= 0 || image.height <= 0 || image.width % side != 0 || image.height % side != 0) {
    return make_error("vision input is ", image.width, "x", image.height, "; both sides must be positive multiples of ", side);
  }
  const int64_t n_px = image.width / c.patch_size, n_py = image.height / c.patch_size;
  if (n_px > c.position_table_size || n_py > c.position_table_size) {
    return make_error("vision input ", image.width, "x", image.height, " has ", n_px, "x", n_py,
                      " patches; the position table holds ", c.position_table_size, " per side");
  }

  VisionPass pass{options.ctx, options.numerics, c, {}, {}};
  pass.columns.resize(n_px * n_py);
  pass.rows.resize(n_px * n_py);
  for (int64_t i = 0; i < n_px * n_py; ++i) {
    pass.columns[i] = static_cast<int32_t>(i % n_px);
    pass.rows[i] = static_cast<int32_t>(i / n_px);
  }

  // §5.2: patch embedding (a stride-p convolution, run as a linear layer over patch rows) plus the column
  // and row position tables.
  const int64_t n = pass.n_patches(), d = c.n_embd;
  const Rows patches = patch_rows(c, image);
  Rows h(static_cast<size_t>(n * d));
  cpu::linear(pass.ctx, patches.data(), n, w.patch_embd, h.data(), pass.numerics);
  for (int64_t i = 0; i < n; ++i) {
    const float* x_row = w.position_x.data() + pass.columns[i] * d;
    const float* y_row = w.position_y.data() + pass.rows[i] * d;
    for (int64_t j = 0; j < d; ++j) h[i * d + j] = h[i * d + j] + x_row[j] + y_row[j];
  }

  for (const VisionLayerWeights& layer : w.layers) vision_block(pass, layer, h);

  // §5.6: n_merge×n_merge average pooling over the patch grid, × √Dv, optional standardisation.
  ImageEmbeddings out;
  out.grid_width = n_px / c.n_merge;
  out.grid_height = n_py / c.n_merge;
  out.n_tokens = out.grid_width * out.grid_height;
  out.n_embd = c.n_embd_text;
  Rows pooled(static_cast<size_t>(out.n_tokens * d));
  cpu::avg_pool2d(pass.ctx, h.data(), n_py, n_px, d, c.n_merge, pooled.data());
  cpu::scale(pass.ctx, pooled.data(), std::sqrt(static_cast<float>(d)), pooled.data(), static_cast<int64_t>(pooled.size()));
  if (!w.std_bias.empty()) {
    for (int64_t t = 0; t < out.n_tokens; ++t) {
      for (int64_t j = 0; j < d; ++j) pooled[t * d + j] = (pooled[t * d + j] - w.std_bias[j]) * w.std_scale[j];
    }
  }

  // §5.7: weightless RMSNorm, then the projection to the text width.
  Rows normed(pooled.size());
  cpu::rms_norm(pass.ctx, pooled.data(), nullptr, c.eps, normed.data(), out.n_tokens, d);
  out.values = clippable_linear(pass, normed, w.projection);
  return out;
}

}  // namespace hearth::models::gemma4
