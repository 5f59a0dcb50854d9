// PNG through libpng, which reports errors by calling an error function that must not return: it longjmps
// back into read_png.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "media/image_codecs.h"

namespace hearth::media::codecs {
namespace {

struct PngReader {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
  char message[256] = {};
};

void png_error_handler(png_structp png, png_const_charp message) {
  auto* reader = static_cast<PngReader*>(png_get_error_ptr(png));
  std::snprintf(reader->message, sizeof reader->message, "%s", message);
  png_longjmp(png, 1);
}

void png_warning_handler(png_structp, png_const_charp) {}

void png_read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* reader = static_cast<PngReader*>(png_get_io_ptr(png));
  if (length > reader->bytes.size() - reader->offset) png_error(png, "file is truncated");
  std::memcpy(out, reader->bytes.data() + reader->offset, length);
  reader->offset += length;
}

// Owns the libpng structs so every exit path frees them.
struct PngStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// The part libpng may jump out of; it declares no objects with destructors, and the caller's are fully
// built before the setjmp. False with the reader's message set on a libpng error; a size error goes to `limit`.
bool read_png(PngStructs& structs, const ImageDecodeOptions& options, RgbImage& image,
              std::vector<png_bytep>& rows, Status& limit) {
  if (setjmp(png_jmpbuf(structs.png))) return false;
  png_read_info(structs.png, structs.info);
  const png_uint_32 width = png_get_image_width(structs.png, structs.info);
  const png_uint_32 height = png_get_image_height(structs.png, structs.info);
  limit = check_dimensions(width, height, options);
  if (!limit) return false;
  // To 8-bit RGB: palette and low bit depths expand, 16-bit keeps the high byte, grey becomes RGB, alpha
  // (including a tRNS chunk) is dropped.
  png_set_expand(structs.png);
  png_set_strip_16(structs.png);
  png_set_gray_to_rgb(structs.png);
  png_set_strip_alpha(structs.png);
  png_set_interlace_handling(structs.png);
  png_read_update_info(structs.png, structs.info);
  if (png_get_rowbytes(structs.png, structs.info) != static_cast<png_size_t>(width) * 3) {
    png_error(structs.png, "unexpected row layout after conversion to RGB");
  }
  image = make_rgb_image(width, height);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = image.pixel(0, y);
  png_read_image(structs.png, rows.data());
  png_read_end(structs.png, nullptr);
  return true;
}

// IHDR is the first chunk, at a fixed offset: its size is checked before libpng reads anything, since
// libpng's header reading already walks the chunks up to the image data.
Status check_header_size(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  constexpr size_t kIhdrType = 12, kIhdrWidth = 16, kIhdrEnd = 24;
  if (bytes.size() < kIhdrEnd || std::memcmp(bytes.data() + kIhdrType, "IHDR", 4) != 0) {
    return make_error("file is truncated or does not start with IHDR");
  }
  const auto be32 = [&](size_t at) {
    return (uint64_t{bytes[at]} << 24) | (uint64_t{bytes[at + 1]} << 16) | (uint64_t{bytes[at + 2]} << 8) | bytes[at + 3];
  };
  return check_dimensions(be32(kIhdrWidth), be32(kIhdrWidth + 4), options);
}

}  // namespace

Result<RgbImage> decode_png(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  if (Status size = check_header_size(bytes, options); !size) return Error{size.error()};
  PngReader reader{bytes};
  PngStructs structs;
  structs.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_error_handler, png_warning_handler);
  if (!structs.png) return make_error("out of memory");
  structs.info = png_create_info_struct(structs.png);
  if (!structs.info) return make_error("out of memory");
  png_set_read_fn(structs.png, &reader, png_read_from_memory);

  RgbImage image;
  std::vector<png_bytep> rows;
  Status limit;
  if (!read_png(structs, options, image, rows, limit)) {
    if (!limit) return Error{limit.error()};
    return make_error(reader.message);
  }
  return image;
}

}  // namespace hearth::media::codecs
