// The ends of the audio tower: the SSCP front (§6.3) and the output projection + embedder (§6.7), and the
// clippable linear both use.
#include <cmath>
#include <limits>

#include "cpu/conv.h"
#include "models/gemma4/audio_layers.h"

namespace hearth::models::gemma4 {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

void clamp_in_place(const MicroBatch& mb, Rows& x, float lo, float hi) {
  if (lo == -kInfinity && hi == kInfinity) return;
  cpu::clamp(mb.ctx, x.data(), lo, hi, x.data(), static_cast<int64_t>(x.size()));
}

// Conv2d 3×3, stride 2, pad 1 → channel LayerNorm (no bias) → ReLU; image → [out_h, out_w, channels] (HWC).
Rows conv_norm_relu(const MicroBatch& mb, const cpu::Image& image, const cpu::WeightMatrix& kernel,
                    const std::vector<float>& norm, int64_t& out_h, int64_t& out_w) {
  const cpu::Conv2dParams params{3, 3, 2, 2, 1, 1};
  out_h = cpu::conv2d_output_size(image.height, 3, 2, 1);
  out_w = cpu::conv2d_output_size(image.width, 3, 2, 1);
  const int64_t cells = out_h * out_w;
  Rows y(cells * kernel.n_out);
  cpu::conv2d(mb.ctx, image, kernel, params, y.data());
  cpu::layer_norm(mb.ctx, y.data(), norm.data(), nullptr, mb.eps, y.data(), cells, kernel.n_out);
  clamp_in_place(mb, y, 0.0f, kInfinity);
  return y;
}

}  // namespace

Rows clippable_linear(const MicroBatch& mb, const ClippableLinear& linear, Rows x) {
  clamp_in_place(mb, x, linear.input_min, linear.input_max);
  Rows y = mb.linear(x, linear.weight);
  clamp_in_place(mb, y, linear.output_min, linear.output_max);
  return y;
}

Rows subsample(const MicroBatch& mb, const AudioConfig& config, const AudioWeights& w, const media::LogMel& mel) {
  // One-channel image: rows are time (frames), columns frequency (mel bins).
  Rows frames(mel.n_frames * mel.n_mel);
  for (int64_t f = 0; f < mel.n_frames; ++f) {
    for (int64_t m = 0; m < mel.n_mel; ++m) frames[f * mel.n_mel + m] = mel.at(m, f);
  }
  int64_t h1 = 0, w1 = 0, h2 = 0, w2 = 0;
  const Rows y1 = conv_norm_relu(mb, {frames.data(), cpu::ImageLayout::chw, 1, mel.n_frames, mel.n_mel},
                                 w.sscp_conv[0], w.sscp_norm[0], h1, w1);
  Rows y2 = conv_norm_relu(mb, {y1.data(), cpu::ImageLayout::hwc, config.sscp_channels[0], h1, w1}, w.sscp_conv[1],
                           w.sscp_norm[1], h2, w2);
  // HWC already flattens each time step with the channel fastest: feature f·C + c.
  return clippable_linear(mb, w.input_projection, std::move(y2));
}

Rows embed_for_text(const MicroBatch& mb, const AudioConfig& config, const AudioWeights& w, const Rows& x) {
  Rows o = clippable_linear(mb, w.output_proj, x);
  const int64_t n = static_cast<int64_t>(o.size()) / config.n_output_proj;
  cpu::add(mb.ctx, o.data(), w.output_proj_bias.data(), o.data(), n, config.n_output_proj, true);
  return clippable_linear(mb, w.embedding_projection, mb.rms_norm(o, w.soft_emb_norm, config.n_output_proj));
}

}  // namespace hearth::models::gemma4
