// WebP through libwebp: still images with WebPDecodeRGBInto, animations' first frame through the demuxing
// animation decoder (its canvas is RGBA; alpha is dropped).
#include <webp/decode.h>
#include <webp/demux.h>

#include <memory>

#include "media/image_codecs.h"

namespace hearth::media::codecs {
namespace {

const char* status_text(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "corrupt bitstream";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "file is truncated";
    case VP8_STATUS_OK: break;
  }
  return "ok";
}

struct AnimDecoderDeleter {
  void operator()(WebPAnimDecoder* decoder) const { WebPAnimDecoderDelete(decoder); }
};

Result<RgbImage> first_animation_frame(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  WebPAnimDecoderOptions decoder_options;
  if (!WebPAnimDecoderOptionsInit(&decoder_options)) return make_error("libwebp version mismatch");
  decoder_options.color_mode = MODE_RGBA;
  decoder_options.use_threads = 0;
  const WebPData data{bytes.data(), bytes.size()};
  std::unique_ptr<WebPAnimDecoder, AnimDecoderDeleter> decoder(WebPAnimDecoderNew(&data, &decoder_options));
  if (!decoder) return make_error("corrupt animation");
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(decoder.get(), &info)) return make_error("corrupt animation");
  if (Status size = check_dimensions(info.canvas_width, info.canvas_height, options); !size) return Error{size.error()};
  uint8_t* canvas = nullptr;
  int timestamp = 0;
  if (!WebPAnimDecoderGetNext(decoder.get(), &canvas, &timestamp)) return make_error("cannot decode the first frame");
  RgbImage image = make_rgb_image(info.canvas_width, info.canvas_height);
  const int64_t n = image.width * image.height;
  for (int64_t i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) image.pixels[3 * i + c] = canvas[4 * i + c];
  }
  return image;
}

}  // namespace

Result<RgbImage> decode_webp(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (status != VP8_STATUS_OK) return make_error(status_text(status));
  if (features.width <= 0 || features.height <= 0) return make_error("image has no pixels");
  if (Status size = check_dimensions(features.width, features.height, options); !size) return Error{size.error()};
  if (features.has_animation) return first_animation_frame(bytes, options);
  RgbImage image = make_rgb_image(features.width, features.height);
  if (!WebPDecodeRGBInto(bytes.data(), bytes.size(), image.pixels.data(), image.pixels.size(),
                         static_cast<int>(image.width * 3))) {
    return make_error("corrupt or truncated image data");
  }
  return image;
}

}  // namespace hearth::media::codecs
