#pragma once
// Convolutions and pooling: the depthwise causal conv1d of recurrent layers (qwen3next.md §8.3) and audio
// LightConv (gemma4.md §6.6), conv2d for the audio SSCP (§6.3) and vision patch embedding (§5.2), and 2-D
// average pooling (§5.6). Float32 activations.
#include <cstdint>

#include "cpu/ops.h"

namespace hearth::cpu {

// Depthwise causal conv1d over n_seqs sequences of n_tokens new inputs each:
//   y_t[c] = Σ_{i<kernel} weight[c·kernel + i] · X_c[t + i],  X_c = [state rows…, x rows…] of channel c,
// i.e. tap kernel−1 multiplies the current input (the GGUF ssm_conv1d / conv_dw layout, [channels, kernel]).
// x, y [n_seqs, n_tokens, channels]; state [n_seqs, kernel − 1, channels] holds the inputs before x (oldest
// first) and is replaced by the last kernel − 1 inputs (reaching into the old state when n_tokens < kernel − 1);
// null means zeros before the first input and no state kept (a whole clip at once). No bias, no activation.
void depthwise_conv1d(const OpContext& ctx, const float* x, int64_t n_seqs, int64_t n_tokens, const float* weight,
                      int64_t kernel, int64_t channels, float* state, float* y);

// Where the channel index sits in an image: CHW planes (PyTorch NCHW without N) or HWC pixels (channels last,
// the layout of token rows).
enum class ImageLayout { chw, hwc };

struct Image {
  const float* data = nullptr;
  ImageLayout layout = ImageLayout::chw;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
};

struct Conv2dParams {
  int64_t kernel_h = 1;
  int64_t kernel_w = 1;
  int64_t stride_h = 1;
  int64_t stride_w = 1;
  int64_t pad_h = 0;  // zeros added above and below
  int64_t pad_w = 0;  // zeros added left and right
};

int64_t conv2d_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t pad);

// y [out_h, out_w, n_out] (HWC: one row per output pixel, the layout of tokens) = the cross-correlation of
// `image` with weights [n_out, channels, kernel_h, kernel_w] (PyTorch's layout; GGUF ne {kw, kh, C, n_out}),
// given as a WeightMatrix with n_in = channels·kernel_h·kernel_w. Runs as im2col over tiles of output pixels
// followed by linear().
void conv2d(const OpContext& ctx, const Image& image, const WeightMatrix& weights, const Conv2dParams& params,
            float* y);

// y [height/k, width/k, channels] = the mean of each non-overlapping k×k cell of x [height, width, channels]
// (HWC); height and width are multiples of k.
void avg_pool2d(const OpContext& ctx, const float* x, int64_t height, int64_t width, int64_t channels, int64_t k,
                float* y);

}  // namespace hearth::cpu
