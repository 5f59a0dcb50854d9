// Windows BMP, written by hand: uncompressed 1/4/8-bit palette, 16/24/32-bit direct colour, BI_BITFIELDS
// masks; OS/2 core and Windows info headers (V1–V5), bottom-up and top-down rows. RLE and embedded
// JPEG/PNG are refused. Every read is bounds-checked against the buffer.
#include <bit>
#include <cstdint>
#include <optional>

#include "media/image_codecs.h"

namespace hearth::media::codecs {
namespace {

constexpr uint32_t kRgb = 0, kBitfields = 3, kAlphaBitfields = 6;
constexpr uint64_t kFileHeaderBytes = 14;

class Bytes {
 public:
  explicit Bytes(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint64_t size() const { return bytes_.size(); }
  std::optional<uint32_t> u32(uint64_t offset) const {
    if (!has(offset, 4)) return std::nullopt;
    const uint8_t* p = bytes_.data() + offset;
    return static_cast<uint32_t>(p[0] | (p[1] << 8) | (p[2] << 16)) | (static_cast<uint32_t>(p[3]) << 24);
  }
  std::optional<uint16_t> u16(uint64_t offset) const {
    if (!has(offset, 2)) return std::nullopt;
    return static_cast<uint16_t>(bytes_[offset] | (bytes_[offset + 1] << 8));
  }
  bool has(uint64_t offset, uint64_t length) const { return offset <= size() && size() - offset >= length; }
  const uint8_t* at(uint64_t offset) const { return bytes_.data() + offset; }

 private:
  std::span<const uint8_t> bytes_;
};

// One colour channel of a BI_BITFIELDS pixel, widened to 8 bits.
struct Channel {
  uint32_t mask = 0;
  int shift = 0;
  int bits = 0;

  static Channel of(uint32_t mask) {
    if (mask == 0) return {};
    const int shift = std::countr_zero(mask);
    return {mask, shift, std::popcount(mask)};
  }
  uint8_t read(uint32_t pixel) const {
    if (bits == 0) return 0;
    const uint32_t value = (pixel & mask) >> shift;
    if (bits >= 8) return static_cast<uint8_t>(value >> (bits - 8));
    return static_cast<uint8_t>(value * 255 / ((1u << bits) - 1));
  }
};

struct Header {
  int64_t width = 0;
  int64_t height = 0;  // rows, positive
  bool top_down = false;
  uint32_t bpp = 0;
  uint32_t compression = kRgb;
  uint64_t palette_offset = 0;
  uint32_t palette_entry_bytes = 4;
  uint32_t palette_count = 0;
  Channel red, green, blue;
};

void set_masks(Header& h, uint32_t red, uint32_t green, uint32_t blue) {
  h.red = Channel::of(red);
  h.green = Channel::of(green);
  h.blue = Channel::of(blue);
}

Result<Header> read_header(const Bytes& in) {
  const std::optional<uint32_t> dib_bytes = in.u32(kFileHeaderBytes);
  if (!dib_bytes) return make_error("file is truncated in its header");
  Header h;
  const uint64_t dib = kFileHeaderBytes;
  if (*dib_bytes == 12) {  // OS/2 BITMAPCOREHEADER
    const auto width = in.u16(dib + 4), height = in.u16(dib + 6), bpp = in.u16(dib + 10);
    if (!width || !height || !bpp) return make_error("file is truncated in its header");
    h.width = *width;
    h.height = *height;
    h.bpp = *bpp;
    h.palette_entry_bytes = 3;
  } else if (*dib_bytes >= 40 && *dib_bytes <= 124) {
    const auto width = in.u32(dib + 4), height = in.u32(dib + 8), compression = in.u32(dib + 16), colors_used = in.u32(dib + 32);
    const auto bpp = in.u16(dib + 14);
    if (!width || !height || !bpp || !compression || !colors_used) return make_error("file is truncated in its header");
    const auto signed_width = static_cast<int32_t>(*width), signed_height = static_cast<int32_t>(*height);
    if (signed_width <= 0 || signed_height == 0 || signed_height == INT32_MIN) {
      return make_error("bad dimensions ", signed_width, "x", signed_height);
    }
    h.width = signed_width;
    h.top_down = signed_height < 0;
    h.height = h.top_down ? -int64_t{signed_height} : signed_height;
    h.bpp = *bpp;
    h.compression = *compression;
    h.palette_count = *colors_used;
    if (h.compression == kBitfields || h.compression == kAlphaBitfields) {
      // Masks follow a 40-byte header, or are its continuation in the larger (V2–V5) headers.
      const auto red = in.u32(dib + 40), green = in.u32(dib + 44), blue = in.u32(dib + 48);
      if (!red || !green || !blue) return make_error("file is truncated in its colour masks");
      set_masks(h, *red, *green, *blue);
    } else if (h.compression != kRgb) {
      return make_error("compression ", h.compression, " is not supported (only uncompressed and bitfields)");
    }
  } else {
    return make_error("unsupported header size ", *dib_bytes);
  }
  h.palette_offset = dib + *dib_bytes;
  if (*dib_bytes == 40 && h.compression == kBitfields) h.palette_offset += 12;
  if (h.compression == kAlphaBitfields && *dib_bytes == 40) h.palette_offset += 16;
  switch (h.bpp) {
    case 1: case 4: case 8:
      if (h.compression != kRgb) return make_error("bitfields need 16 or 32 bits per pixel");
      if (h.palette_count == 0 || h.palette_count > (1u << h.bpp)) h.palette_count = 1u << h.bpp;
      if (!in.has(h.palette_offset, uint64_t{h.palette_count} * h.palette_entry_bytes)) return make_error("file is truncated in its palette");
      break;
    case 16:
      if (h.compression == kRgb) set_masks(h, 0x7C00, 0x03E0, 0x001F);  // 5-5-5
      break;
    case 24: break;
    case 32:
      if (h.compression == kRgb) set_masks(h, 0x00FF0000, 0x0000FF00, 0x000000FF);  // B G R X bytes
      break;
    default: return make_error(h.bpp, " bits per pixel is not supported");
  }
  if (h.bpp == 24 && h.compression != kRgb) return make_error("bitfields need 16 or 32 bits per pixel");
  return h;
}

}  // namespace

Result<RgbImage> decode_bmp(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  const Bytes in(bytes);
  const std::optional<uint32_t> pixel_offset = in.u32(10);
  if (!pixel_offset) return make_error("file is truncated in its header");
  Result<Header> parsed = read_header(in);
  if (!parsed) return Error{parsed.error()};
  const Header& h = *parsed;
  if (Status size = check_dimensions(h.width, h.height, options); !size) return Error{size.error()};
  const uint64_t stride = (static_cast<uint64_t>(h.width) * h.bpp + 31) / 32 * 4;
  if (!in.has(*pixel_offset, stride * static_cast<uint64_t>(h.height))) return make_error("file is truncated in its pixel data");

  RgbImage image = make_rgb_image(h.width, h.height);
  for (int64_t row = 0; row < h.height; ++row) {
    const uint8_t* src = in.at(*pixel_offset + stride * static_cast<uint64_t>(row));
    const int64_t y = h.top_down ? row : h.height - 1 - row;
    for (int64_t x = 0; x < h.width; ++x) {
      uint8_t* out = image.pixel(x, y);
      switch (h.bpp) {
        case 1: case 4: case 8: {
          const int64_t bit = x * h.bpp;
          const uint32_t index = (src[bit / 8] >> (8 - h.bpp - bit % 8)) & ((1u << h.bpp) - 1);
          if (index >= h.palette_count) break;  // out-of-range indices stay black
          const uint8_t* bgr = in.at(h.palette_offset + uint64_t{index} * h.palette_entry_bytes);
          out[0] = bgr[2];
          out[1] = bgr[1];
          out[2] = bgr[0];
          break;
        }
        case 24:
          out[0] = src[3 * x + 2];
          out[1] = src[3 * x + 1];
          out[2] = src[3 * x];
          break;
        default: {
          const uint8_t* p = src + x * (h.bpp / 8);
          const uint32_t pixel = h.bpp == 16 ? uint32_t{p[0]} | (uint32_t{p[1]} << 8)
                                             : uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
          out[0] = h.red.read(pixel);
          out[1] = h.green.read(pixel);
          out[2] = h.blue.read(pixel);
          break;
        }
      }
    }
  }
  return image;
}

}  // namespace hearth::media::codecs
