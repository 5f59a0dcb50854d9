#include "media/image_decode.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "media/image_codecs.h"

namespace hearth::media {
namespace {

constexpr uint64_t kMaxImageFileBytes = uint64_t{1} << 30;

bool starts_with(std::span<const uint8_t> bytes, const char* signature, size_t offset = 0) {
  const size_t length = std::strlen(signature);
  return bytes.size() >= offset + length && std::memcmp(bytes.data() + offset, signature, length) == 0;
}

const char* format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::png: return "PNG";
    case ImageFormat::jpeg: return "JPEG";
    case ImageFormat::webp: return "WebP";
    case ImageFormat::gif: return "GIF";
    case ImageFormat::bmp: return "BMP";
    case ImageFormat::unknown: break;
  }
  return "unknown";
}

}  // namespace

namespace codecs {

Status check_dimensions(uint64_t width, uint64_t height, const ImageDecodeOptions& options) {
  if (width == 0 || height == 0) return make_error("image has no pixels (", width, "x", height, ")");
  // Compared by division so that no product overflows.
  if (width > options.max_pixels || height > options.max_pixels / width) {
    return make_error("image is ", width, "x", height, " pixels, over the limit of ", options.max_pixels,
                      " pixels (a decompression bomb, or raise the limit)");
  }
  return Status::success();
}

}  // namespace codecs

ImageFormat sniff_image_format(std::span<const uint8_t> bytes) {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return ImageFormat::png;
  if (starts_with(bytes, "\xff\xd8\xff")) return ImageFormat::jpeg;
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return ImageFormat::webp;
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return ImageFormat::gif;
  if (starts_with(bytes, "BM")) return ImageFormat::bmp;
  return ImageFormat::unknown;
}

Result<RgbImage> decode_image(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  const ImageFormat format = sniff_image_format(bytes);
  Result<RgbImage> image = Error{};
  switch (format) {
    case ImageFormat::png: image = codecs::decode_png(bytes, options); break;
    case ImageFormat::jpeg: image = codecs::decode_jpeg(bytes, options); break;
    case ImageFormat::webp: image = codecs::decode_webp(bytes, options); break;
    case ImageFormat::gif: image = codecs::decode_gif(bytes, options); break;
    case ImageFormat::bmp: image = codecs::decode_bmp(bytes, options); break;
    case ImageFormat::unknown:
      return make_error("not a supported image (PNG, JPEG, WebP, GIF or BMP): unrecognised signature");
  }
  if (!image) return make_error(format_name(format), ": ", image.error());
  return image;
}

Result<RgbImage> load_image_file(const std::filesystem::path& path, const ImageDecodeOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open image '", path.string(), "'");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return make_error("cannot read image '", path.string(), "'");
  if (static_cast<uint64_t>(size) > kMaxImageFileBytes) {
    return make_error("image '", path.string(), "' is ", size, " bytes, over the 1 GiB limit");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) return make_error("cannot read image '", path.string(), "'");
  Result<RgbImage> image = decode_image(bytes, options);
  if (!image) return make_error("image '", path.string(), "': ", image.error());
  return image;
}

}  // namespace hearth::media
