// GIF through giflib, record by record up to the first image, so later frames are never decoded. The first
// frame is drawn on a black canvas of the logical screen size; its transparent pixels stay black.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "media/image_codecs.h"

namespace hearth::media::codecs {
namespace {

struct GifReader {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
};

int read_from_memory(GifFileType* gif, GifByteType* out, int length) {
  auto* reader = static_cast<GifReader*>(gif->UserData);
  const size_t wanted = length > 0 ? static_cast<size_t>(length) : 0;
  const size_t n = std::min(wanted, reader->bytes.size() - reader->offset);
  std::memcpy(out, reader->bytes.data() + reader->offset, n);
  reader->offset += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const { DGifCloseFile(gif, nullptr); }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

Error gif_error(const GifHandle& gif) {
  const char* text = GifErrorString(gif->Error);
  return make_error(text ? text : "corrupt file");
}

// Skips an extension block, keeping the transparent colour index of a graphics control extension.
Status read_extension(const GifHandle& gif, int& transparent_index) {
  int code = 0;
  GifByteType* block = nullptr;
  if (DGifGetExtension(gif.get(), &code, &block) == GIF_ERROR) return gif_error(gif);
  if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr) {
    GraphicsControlBlock control;
    if (DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK) transparent_index = control.TransparentColor;
  }
  while (block != nullptr) {
    if (DGifGetExtensionNext(gif.get(), &block) == GIF_ERROR) return gif_error(gif);
  }
  return Status::success();
}

Result<RgbImage> read_first_frame(const GifHandle& gif, const ImageDecodeOptions& options, int transparent_index) {
  if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return gif_error(gif);
  const GifImageDesc& frame = gif->Image;
  if (frame.Left < 0 || frame.Top < 0) return make_error("frame has a negative offset");
  if (Status size = check_dimensions(frame.Width, frame.Height, options); !size) return Error{size.error()};
  const ColorMapObject* colors = frame.ColorMap ? frame.ColorMap : gif->SColorMap;
  if (colors == nullptr || colors->Colors == nullptr) return make_error("frame has no colour map");

  RgbImage image = make_rgb_image(gif->SWidth, gif->SHeight);
  std::vector<GifPixelType> line(static_cast<size_t>(frame.Width));
  const auto draw_row = [&](int64_t row) {
    const int64_t y = frame.Top + row;
    for (int64_t col = 0; col < frame.Width; ++col) {
      const int64_t x = frame.Left + col;
      const int index = line[col];
      if (x >= image.width || y >= image.height || index == transparent_index || index >= colors->ColorCount) continue;
      const GifColorType& color = colors->Colors[index];
      uint8_t* out = image.pixel(x, y);
      out[0] = color.Red;
      out[1] = color.Green;
      out[2] = color.Blue;
    }
  };
  // Interlaced frames store rows in four passes: every 8th from 0, every 8th from 4, every 4th from 2, every
  // 2nd from 1.
  const int starts[] = {0, 4, 2, 1}, steps[] = {8, 8, 4, 2};
  const int passes = frame.Interlace ? 4 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    const int start = frame.Interlace ? starts[pass] : 0;
    const int step = frame.Interlace ? steps[pass] : 1;
    for (int64_t row = start; row < frame.Height; row += step) {
      if (DGifGetLine(gif.get(), line.data(), frame.Width) == GIF_ERROR) return gif_error(gif);
      draw_row(row);
    }
  }
  return image;
}

}  // namespace

Result<RgbImage> decode_gif(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  GifReader reader{bytes};
  int open_error = 0;
  GifHandle gif(DGifOpen(&reader, read_from_memory, &open_error));
  if (!gif) {
    const char* text = GifErrorString(open_error);
    return make_error(text ? text : "cannot read the header");
  }
  if (Status size = check_dimensions(gif->SWidth > 0 ? gif->SWidth : 0, gif->SHeight > 0 ? gif->SHeight : 0, options);
      !size) {
    return Error{size.error()};
  }
  int transparent_index = NO_TRANSPARENT_COLOR;
  for (;;) {
    GifRecordType record;
    if (DGifGetRecordType(gif.get(), &record) == GIF_ERROR) return gif_error(gif);
    switch (record) {
      case IMAGE_DESC_RECORD_TYPE: return read_first_frame(gif, options, transparent_index);
      case EXTENSION_RECORD_TYPE:
        if (Status skipped = read_extension(gif, transparent_index); !skipped) return Error{skipped.error()};
        break;
      case TERMINATE_RECORD_TYPE: return make_error("file holds no image");
      default: return make_error("unexpected record");
    }
  }
}

}  // namespace hearth::media::codecs
