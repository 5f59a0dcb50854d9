#pragma once
// Resampling of RGB8 images with Pillow's filters: separable passes (horizontal, then vertical; a pass is
// skipped when that side keeps its size), the filter widened by the scale when shrinking (antialiasing),
// weights normalised per output pixel. Unlike Pillow's fixed-point passes, both passes run in double and
// only the result is truncated to 0–255: of the variants tried, that is the one closest to the llama.cpp
// oracle of the Gemma 4 goldens (test-1.jpeg: 77% of the resized bytes equal, mean difference −0.03, the
// rest within 8 and mostly due to its JPEG decoder, stb_image, against libjpeg-turbo here; Pillow's own
// rounding gives 51% equal and a +0.43 bias).
#include <array>
#include <cstdint>

#include "media/image_types.h"

namespace hearth::media {

enum class ResampleFilter {
  bilinear,  // triangle, support 1
  bicubic,   // Keys cubic with a = −0.5 (Pillow's; PyTorch uses −0.75), support 2
};

// `image` resampled to width × height (both ≥ 1).
RgbImage resize_image(const RgbImage& image, int64_t width, int64_t height, ResampleFilter filter);

// `image` fitted into width × height with its aspect ratio kept and centred on a canvas of `pad`: scale =
// min(width / w, height / h) in float, each side ceil(side · scale) capped at the target, offsets rounded
// down (llama.cpp's PAD_CEIL letterbox). A same-size image is returned unchanged.
RgbImage letterbox_image(const RgbImage& image, int64_t width, int64_t height, ResampleFilter filter,
                         std::array<uint8_t, 3> pad);

}  // namespace hearth::media
