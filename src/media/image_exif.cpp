#include "media/image_exif.h"

#include <cstring>
#include <optional>

namespace hearth::media {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTiffShort = 3;

// Reads the TIFF structure after the "Exif\0\0" header in its declared byte order, refusing any read that
// would leave it.
class TiffReader {
 public:
  explicit TiffReader(std::span<const uint8_t> tiff) : tiff_(tiff) {}

  bool read_byte_order() {
    if (tiff_.size() < 8) return false;
    if (tiff_[0] == 'I' && tiff_[1] == 'I') {
      little_endian_ = true;
    } else if (tiff_[0] == 'M' && tiff_[1] == 'M') {
      little_endian_ = false;
    } else {
      return false;
    }
    return u16(2) == std::optional<uint16_t>{42};
  }

  std::optional<uint16_t> u16(uint64_t offset) const {
    if (offset > tiff_.size() || tiff_.size() - offset < 2) return std::nullopt;
    const uint8_t* p = tiff_.data() + offset;
    return static_cast<uint16_t>(little_endian_ ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1]);
  }

  std::optional<uint32_t> u32(uint64_t offset) const {
    if (offset > tiff_.size() || tiff_.size() - offset < 4) return std::nullopt;
    const uint8_t* p = tiff_.data() + offset;
    return little_endian_ ? static_cast<uint32_t>(p[0] | (p[1] << 8) | (p[2] << 16)) | (static_cast<uint32_t>(p[3]) << 24)
                          : (static_cast<uint32_t>(p[0]) << 24) | static_cast<uint32_t>((p[1] << 16) | (p[2] << 8) | p[3]);
  }

 private:
  std::span<const uint8_t> tiff_;
  bool little_endian_ = true;
};

}  // namespace

int exif_orientation(std::span<const uint8_t> app1_payload) {
  constexpr uint8_t kExifHeader[] = {'E', 'x', 'i', 'f', 0, 0};
  if (app1_payload.size() < sizeof kExifHeader || std::memcmp(app1_payload.data(), kExifHeader, sizeof kExifHeader) != 0) {
    return 1;
  }
  TiffReader tiff(app1_payload.subspan(sizeof kExifHeader));
  if (!tiff.read_byte_order()) return 1;
  const std::optional<uint32_t> ifd0 = tiff.u32(4);
  if (!ifd0) return 1;
  const std::optional<uint16_t> entries = tiff.u16(*ifd0);
  if (!entries) return 1;
  for (uint32_t i = 0; i < *entries; ++i) {
    const uint64_t entry = uint64_t{*ifd0} + 2 + uint64_t{i} * 12;
    const std::optional<uint16_t> tag = tiff.u16(entry);
    if (!tag) return 1;
    if (*tag != kOrientationTag) continue;
    const std::optional<uint16_t> type = tiff.u16(entry + 2);
    const std::optional<uint32_t> count = tiff.u32(entry + 4);
    const std::optional<uint16_t> value = tiff.u16(entry + 8);  // a single SHORT sits at the start of the value field
    if (!type || !count || !value || *type != kTiffShort || *count != 1) return 1;
    return *value >= 1 && *value <= 8 ? *value : 1;
  }
  return 1;
}

RgbImage apply_orientation(const RgbImage& image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  const int64_t w = image.width, h = image.height;
  const bool swaps = orientation >= 5;
  RgbImage out = make_rgb_image(swaps ? h : w, swaps ? w : h);
  for (int64_t y = 0; y < out.height; ++y) {
    for (int64_t x = 0; x < out.width; ++x) {
      // The stored pixel shown at (x, y).
      int64_t sx = x, sy = y;
      switch (orientation) {
        case 2: sx = w - 1 - x; break;                      // mirrored left-right
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;      // turned 180°
        case 4: sy = h - 1 - y; break;                      // mirrored top-bottom
        case 5: sx = y; sy = x; break;                      // transposed
        case 6: sx = y; sy = h - 1 - x; break;              // needs a 90° clockwise turn
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;      // transversed
        case 8: sx = w - 1 - y; sy = x; break;              // needs a 90° counter-clockwise turn
        default: break;
      }
      std::memcpy(out.pixel(x, y), image.pixel(sx, sy), 3);
    }
  }
  return out;
}

}  // namespace hearth::media
