// libFuzzer harness for the in-memory image decoder (all formats, chosen by signature): any input must give
// an image of the size it claims or an error, under a pixel limit small enough that a fuzzer-made header
// cannot ask for gigabytes. An accepted image is also resized and letterboxed, whose sizes come from it.
#include <cstddef>
#include <cstdint>

#include "media/image_decode.h"
#include "media/image_resize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hearth::media::ImageDecodeOptions options;
  options.max_pixels = 1 << 20;
  hearth::Result<hearth::media::RgbImage> image = hearth::media::decode_image({data, size}, options);
  if (!image.ok()) return 0;
  const hearth::media::RgbImage& decoded = *image;
  if (decoded.pixels.size() != static_cast<size_t>(decoded.width * decoded.height * 3)) __builtin_trap();
  const hearth::media::RgbImage boxed =
      hearth::media::letterbox_image(decoded, 48, 32, hearth::media::ResampleFilter::bilinear, {0, 0, 0});
  if (boxed.pixels.size() != 48 * 32 * 3) __builtin_trap();
  return 0;
}
