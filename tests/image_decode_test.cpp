// Image decoding: files written here with the format libraries (BMP by hand) decode to the pixels written,
// JPEG EXIF orientation is applied, and truncated, corrupt or oversized (bomb) files are clear errors.
#include <stdio.h>  // jpeglib.h needs FILE first
#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

#include <cstring>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "media/image_decode.h"
#include "media/image_exif.h"
#include "support/temp_dir.h"

namespace hearth::media {
namespace {

using Bytes = std::vector<uint8_t>;

// A w×h test pattern: each pixel a distinct colour.
RgbImage pattern(int64_t w, int64_t h) {
  RgbImage image = make_rgb_image(w, h);
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      uint8_t* p = image.pixel(x, y);
      p[0] = static_cast<uint8_t>(40 * x + 3);
      p[1] = static_cast<uint8_t>(50 * y + 7);
      p[2] = static_cast<uint8_t>(11 * (x + y));
    }
  }
  return image;
}

// ---- PNG --------------------------------------------------------------------------------------------------

void png_append(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

// `rows` holds height rows of bytes in the layout of color_type/bit_depth.
Bytes write_png(uint32_t w, uint32_t h, int color_type, int bit_depth, const std::vector<Bytes>& rows,
                const std::vector<png_color>& palette = {}, bool header_only = false) {
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    ADD_FAILURE() << "libpng write failed";
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, png_append, nullptr);
  png_set_IHDR(png, info, w, h, bit_depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!palette.empty()) png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  png_write_info(png, info);
  if (!header_only) {
    for (const Bytes& row : rows) png_write_row(png, row.data());
    png_write_end(png, nullptr);
  }
  png_destroy_write_struct(&png, &info);
  return out;
}

TEST(ImageDecode, PngColourTypesAndDepths) {
  // RGB 8-bit.
  const RgbImage want = pattern(5, 3);
  std::vector<Bytes> rgb_rows;
  for (int64_t y = 0; y < 3; ++y) rgb_rows.emplace_back(want.pixel(0, y), want.pixel(0, y) + 15);
  Result<RgbImage> rgb = decode_image(write_png(5, 3, PNG_COLOR_TYPE_RGB, 8, rgb_rows));
  ASSERT_TRUE(rgb) << rgb.error();
  EXPECT_EQ(rgb->pixels, want.pixels);

  // RGBA 16-bit: alpha dropped, high bytes kept.
  std::vector<Bytes> rgba16_rows(2, Bytes(2 * 8));
  for (auto& row : rgba16_rows) {
    for (int x = 0; x < 2; ++x) {
      const uint8_t sample[8] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0x00, 0x01};
      std::memcpy(row.data() + 8 * x, sample, 8);
    }
  }
  Result<RgbImage> rgba16 = decode_image(write_png(2, 2, PNG_COLOR_TYPE_RGB_ALPHA, 16, rgba16_rows));
  ASSERT_TRUE(rgba16) << rgba16.error();
  EXPECT_EQ(rgba16->pixel(1, 1)[0], 0x12);
  EXPECT_EQ(rgba16->pixel(1, 1)[1], 0x56);
  EXPECT_EQ(rgba16->pixel(1, 1)[2], 0x9A);

  // Grey 8-bit becomes three equal channels.
  Result<RgbImage> grey = decode_image(write_png(3, 1, PNG_COLOR_TYPE_GRAY, 8, {Bytes{0, 128, 255}}));
  ASSERT_TRUE(grey) << grey.error();
  EXPECT_EQ(grey->pixels, (Bytes{0, 0, 0, 128, 128, 128, 255, 255, 255}));

  // Palette, 2 bits per pixel: four pixels in one byte.
  const std::vector<png_color> palette = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}, {100, 110, 120}};
  Result<RgbImage> indexed = decode_image(write_png(4, 1, PNG_COLOR_TYPE_PALETTE, 2, {Bytes{0b00011011}}, palette));
  ASSERT_TRUE(indexed) << indexed.error();
  EXPECT_EQ(indexed->pixels, (Bytes{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120}));
}

TEST(ImageDecode, PngDamageIsAnError) {
  std::vector<Bytes> rows(8, Bytes(8 * 3, 77));
  const Bytes good = write_png(8, 8, PNG_COLOR_TYPE_RGB, 8, rows);
  ASSERT_TRUE(decode_image(good));
  const Bytes truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  Result<RgbImage> cut = decode_image(truncated);
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().find("PNG"), std::string::npos) << cut.error();
  Bytes corrupt = good;
  corrupt[40] ^= 0xFF;  // inside IDAT: checksum mismatch
  EXPECT_FALSE(decode_image(corrupt));
}

TEST(ImageDecode, BombHeaderIsRefusedBeforeDecoding) {
  // A PNG claiming 100000 × 100000 pixels with no image data at all.
  const Bytes png_bomb = write_png(100000, 100000, PNG_COLOR_TYPE_RGB, 8, {}, {}, true);
  Result<RgbImage> refused = decode_image(png_bomb);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("over the limit"), std::string::npos) << refused.error();

  // The limit is a parameter: a small real image over a tiny limit is refused too.
  std::vector<Bytes> rows(4, Bytes(4 * 3, 1));
  ImageDecodeOptions strict;
  strict.max_pixels = 15;
  Result<RgbImage> over = decode_image(write_png(4, 4, PNG_COLOR_TYPE_RGB, 8, rows), strict);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().find("over the limit"), std::string::npos) << over.error();
}

// ---- JPEG -------------------------------------------------------------------------------------------------

Bytes write_jpeg(const RgbImage& image, bool progressive, int orientation = 0) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr errors;
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(image.width);
  cinfo.image_height = static_cast<JDIMENSION>(image.height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 100, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  if (orientation != 0) {
    // Big-endian TIFF with one IFD0 entry: tag 0x0112, type SHORT, count 1.
    const uint8_t exif[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, static_cast<uint8_t>(orientation), 0, 0, 0, 0, 0, 0};
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, exif, sizeof exif);
  }
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(image.pixel(0, cinfo.next_scanline));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes out(buffer, buffer + size);
  free(buffer);
  return out;
}

// Four flat 8×8 quadrants, so JPEG keeps each colour within a few levels.
RgbImage quadrants() {
  RgbImage image = make_rgb_image(16, 16);
  const uint8_t colours[4][3] = {{250, 10, 10}, {10, 250, 10}, {10, 10, 250}, {240, 240, 240}};
  for (int64_t y = 0; y < 16; ++y) {
    for (int64_t x = 0; x < 16; ++x) std::memcpy(image.pixel(x, y), colours[(y / 8) * 2 + x / 8], 3);
  }
  return image;
}

void expect_near_colour(const RgbImage& image, int64_t x, int64_t y, const uint8_t* want) {
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(image.pixel(x, y)[c], want[c], 12) << x << "," << y << " channel " << c;
}

TEST(ImageDecode, JpegBaselineAndProgressive) {
  const RgbImage want = quadrants();
  for (bool progressive : {false, true}) {
    Result<RgbImage> got = decode_image(write_jpeg(want, progressive));
    ASSERT_TRUE(got) << got.error();
    ASSERT_EQ(got->width, 16);
    ASSERT_EQ(got->height, 16);
    for (int64_t y : {3, 12}) {
      for (int64_t x : {3, 12}) expect_near_colour(*got, x, y, want.pixel(x, y));
    }
  }
}

TEST(ImageDecode, JpegExifOrientationIsApplied) {
  // 16 wide × 8 tall: red left half, blue right half.
  RgbImage wide = make_rgb_image(16, 8);
  for (int64_t y = 0; y < 8; ++y) {
    for (int64_t x = 0; x < 16; ++x) {
      uint8_t* p = wide.pixel(x, y);
      p[0] = x < 8 ? 250 : 10;
      p[2] = x < 8 ? 10 : 250;
    }
  }
  const uint8_t red[3] = {250, 0, 10}, blue[3] = {10, 0, 250};
  // 6: turned 90° clockwise for display → 8 wide × 16 tall, the left (red) half on top.
  Result<RgbImage> turned = decode_image(write_jpeg(wide, false, 6));
  ASSERT_TRUE(turned) << turned.error();
  EXPECT_EQ(turned->width, 8);
  EXPECT_EQ(turned->height, 16);
  expect_near_colour(*turned, 4, 3, red);
  expect_near_colour(*turned, 4, 12, blue);
  // 3: turned 180° → blue on the left.
  Result<RgbImage> flipped = decode_image(write_jpeg(wide, true, 3));
  ASSERT_TRUE(flipped) << flipped.error();
  expect_near_colour(*flipped, 3, 4, blue);
  // Switched off, the stored layout is kept.
  ImageDecodeOptions raw;
  raw.apply_exif_orientation = false;
  Result<RgbImage> stored = decode_image(write_jpeg(wide, false, 6), raw);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->width, 16);
}

TEST(ImageDecode, JpegDamageAndBombsAreErrors) {
  const Bytes good = write_jpeg(quadrants(), false);
  Result<RgbImage> cut = decode_image(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() * 2 / 3)));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().find("JPEG"), std::string::npos) << cut.error();
  EXPECT_FALSE(decode_image(Bytes(good.begin(), good.begin() + 20)));
  ImageDecodeOptions strict;
  strict.max_pixels = 100;
  Result<RgbImage> over = decode_image(good, strict);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().find("over the limit"), std::string::npos) << over.error();
}

TEST(ImageDecode, ExifParserIsBoundsChecked) {
  const uint8_t valid[] = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0,
                           0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0};
  EXPECT_EQ(exif_orientation(valid), 8);
  // Cut before the end of the tag's value (byte 26) it is "no orientation", never a read past the end.
  for (size_t n = 0; n < 26; ++n) EXPECT_EQ(exif_orientation({valid, n}), 1) << n;
  // An IFD offset far outside the segment.
  uint8_t far[sizeof valid];
  std::memcpy(far, valid, sizeof valid);
  far[10] = 0xFF;
  far[13] = 0x7F;
  EXPECT_EQ(exif_orientation(far), 1);
}

TEST(ImageDecode, OrientationTransforms) {
  const RgbImage image = pattern(3, 2);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const RgbImage turned = apply_orientation(image, orientation);
    EXPECT_EQ(turned.width, orientation >= 5 ? 2 : 3);
    // Applying the inverse transform brings the original back.
    const int inverse[] = {0, 1, 2, 3, 4, 5, 8, 7, 6};
    EXPECT_EQ(apply_orientation(turned, inverse[orientation]).pixels, image.pixels) << orientation;
  }
  // 6 (90° clockwise): the bottom-left stored pixel lands top-left.
  EXPECT_EQ(std::memcmp(apply_orientation(image, 6).pixel(0, 0), image.pixel(0, 1), 3), 0);
}

// ---- WebP, GIF, BMP ---------------------------------------------------------------------------------------

TEST(ImageDecode, WebpLossless) {
  const RgbImage want = pattern(7, 5);
  uint8_t* encoded = nullptr;
  const size_t size = WebPEncodeLosslessRGB(want.pixels.data(), 7, 5, 7 * 3, &encoded);
  ASSERT_GT(size, 0u);
  const Bytes file(encoded, encoded + size);
  WebPFree(encoded);
  Result<RgbImage> got = decode_image(file);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->pixels, want.pixels);
  EXPECT_FALSE(decode_image(Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(file.size() / 2))));
}

int gif_append(GifFileType* gif, const GifByteType* data, int length) {
  auto* out = static_cast<Bytes*>(gif->UserData);
  out->insert(out->end(), data, data + length);
  return length;
}

// A 4×3 GIF whose first frame uses palette index x + y (mod 4); a second frame must be ignored.
Bytes write_gif() {
  Bytes out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, gif_append, &error);
  GifColorType colours[4] = {{0, 0, 0}, {200, 10, 10}, {10, 200, 10}, {10, 10, 200}};
  ColorMapObject* map = GifMakeMapObject(4, colours);
  EGifPutScreenDesc(gif, 4, 3, 2, 0, map);
  for (int frame = 0; frame < 2; ++frame) {
    EGifPutImageDesc(gif, 0, 0, 4, 3, false, nullptr);
    for (int y = 0; y < 3; ++y) {
      GifPixelType row[4];
      for (int x = 0; x < 4; ++x) row[x] = static_cast<GifPixelType>(frame == 0 ? (x + y) % 4 : 0);
      EGifPutLine(gif, row, 4);
    }
  }
  EGifCloseFile(gif, &error);
  GifFreeMapObject(map);
  return out;
}

TEST(ImageDecode, GifFirstFrame) {
  const Bytes file = write_gif();
  Result<RgbImage> got = decode_image(file);
  ASSERT_TRUE(got) << got.error();
  ASSERT_EQ(got->width, 4);
  ASSERT_EQ(got->height, 3);
  EXPECT_EQ(got->pixel(1, 0)[0], 200);  // index 1
  EXPECT_EQ(got->pixel(1, 1)[1], 200);  // index 2
  EXPECT_EQ(got->pixel(3, 0)[2], 200);  // index 3
  EXPECT_EQ(got->pixel(0, 0)[0], 0);    // index 0
  EXPECT_FALSE(decode_image(Bytes(file.begin(), file.begin() + 20)));
}

void put_u16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void put_u32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// An uncompressed BMP of `image` at 24 or 32 bits; bottom-up unless top_down.
Bytes write_bmp(const RgbImage& image, int bpp, bool top_down) {
  const uint32_t stride = static_cast<uint32_t>((image.width * bpp + 31) / 32 * 4);
  const uint32_t offset = 14 + 40;
  Bytes b(offset + stride * image.height, 0);
  b[0] = 'B';
  b[1] = 'M';
  put_u32(b, 2, static_cast<uint32_t>(b.size()));
  put_u32(b, 10, offset);
  put_u32(b, 14, 40);
  put_u32(b, 18, static_cast<uint32_t>(image.width));
  put_u32(b, 22, static_cast<uint32_t>(top_down ? -image.height : image.height));
  put_u16(b, 26, 1);
  put_u16(b, 28, static_cast<uint16_t>(bpp));
  for (int64_t y = 0; y < image.height; ++y) {
    const int64_t stored_row = top_down ? y : image.height - 1 - y;
    for (int64_t x = 0; x < image.width; ++x) {
      uint8_t* p = b.data() + offset + stored_row * stride + x * (bpp / 8);
      p[0] = image.pixel(x, y)[2];
      p[1] = image.pixel(x, y)[1];
      p[2] = image.pixel(x, y)[0];
    }
  }
  return b;
}

TEST(ImageDecode, BmpUncompressed) {
  const RgbImage want = pattern(5, 3);
  for (int bpp : {24, 32}) {
    for (bool top_down : {false, true}) {
      Result<RgbImage> got = decode_image(write_bmp(want, bpp, top_down));
      ASSERT_TRUE(got) << got.error();
      EXPECT_EQ(got->pixels, want.pixels) << bpp << " top_down " << top_down;
    }
  }
}

TEST(ImageDecode, BmpHostileHeaders) {
  const Bytes good = write_bmp(pattern(5, 3), 24, false);
  Result<RgbImage> cut = decode_image(Bytes(good.begin(), good.end() - 1));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().find("truncated"), std::string::npos) << cut.error();
  Bytes bomb = good;
  put_u32(bomb, 18, 60000);
  put_u32(bomb, 22, 60000);
  Result<RgbImage> refused = decode_image(bomb);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("over the limit"), std::string::npos) << refused.error();
  Bytes negative_width = good;
  put_u32(negative_width, 18, static_cast<uint32_t>(-5));
  EXPECT_FALSE(decode_image(negative_width));
  Bytes rle = good;
  put_u32(rle, 30, 1);
  EXPECT_FALSE(decode_image(rle));
  // Every prefix of the file is an error or a whole image, never a crash.
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(decode_image(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n))));
}

TEST(ImageDecode, FilesAndUnknownFormats) {
  test::TempDir dir("image_decode");
  const std::filesystem::path path = dir / "picture.bmp";
  const Bytes bmp = write_bmp(pattern(2, 2), 24, false);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bmp.data()), static_cast<std::streamsize>(bmp.size()));
  Result<RgbImage> loaded = load_image_file(path);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->width, 2);
  Result<RgbImage> missing = load_image_file(dir / "absent.png");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("absent.png"), std::string::npos);
  Result<RgbImage> unknown = decode_image(Bytes{'h', 'e', 'l', 'l', 'o'});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("signature"), std::string::npos);
  EXPECT_FALSE(decode_image(Bytes{}));
}

// The fuzz harness's seeds (fuzz/corpus/image: every format and variant the decoder handles) all decode.
TEST(ImageDecode, FuzzSeedsDecode) {
  const std::filesystem::path seeds = std::filesystem::path(HEARTH_TEST_DATA_DIR) / ".." / ".." / "fuzz" / "corpus" / "image";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
    Result<RgbImage> image = load_image_file(entry.path());
    EXPECT_TRUE(image) << image.error();
    ++count;
  }
  EXPECT_GE(count, 15);
}

}  // namespace
}  // namespace hearth::media
