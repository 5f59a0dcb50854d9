#pragma once
// One decoder per image format behind decode_image() (image_decode.h); each checks its header against the
// pixel limit before decoding and returns an RGB8 image or an error without the format's name (the caller
// adds it).
#include <cstdint>
#include <span>

#include "core/result.h"
#include "media/image_decode.h"
#include "media/image_types.h"

namespace hearth::media::codecs {

Result<RgbImage> decode_png(std::span<const uint8_t> bytes, const ImageDecodeOptions& options);
Result<RgbImage> decode_jpeg(std::span<const uint8_t> bytes, const ImageDecodeOptions& options);
Result<RgbImage> decode_webp(std::span<const uint8_t> bytes, const ImageDecodeOptions& options);
Result<RgbImage> decode_gif(std::span<const uint8_t> bytes, const ImageDecodeOptions& options);
Result<RgbImage> decode_bmp(std::span<const uint8_t> bytes, const ImageDecodeOptions& options);

// Error unless width and height are positive and width·height ≤ max_pixels.
Status check_dimensions(uint64_t width, uint64_t height, const ImageDecodeOptions& options);

}  // namespace hearth::media::codecs
