#pragma once
// Image files to RGB8: PNG, JPEG (EXIF orientation applied), WebP, GIF (first frame) and BMP, recognised by
// their signature, from a file or from bytes in memory (the server's base64-decoded uploads).
//
// Hostile input: the pixel count is read from the header and checked against max_pixels before anything is
// decoded, so a small file claiming a huge canvas (a decompression bomb) costs nothing; every malformed or
// truncated file is an error naming the format and the problem, never a crash or a partial image. Alpha is
// dropped (not composited), as PIL's convert("RGB") and llama.cpp's loader do; 16-bit samples keep their
// high byte.
#include <cstdint>
#include <filesystem>
#include <span>

#include "core/result.h"
#include "media/image_types.h"

namespace hearth::media {

struct ImageDecodeOptions {
  // Largest width·height accepted (default 64 Mpx: a 8192×8192 image, 192 MiB as RGB8).
  uint64_t max_pixels = uint64_t{1} << 26;
  // Rotate/mirror JPEGs as their EXIF orientation tag says (what viewers show; stb_image, and so
  // llama.cpp, ignore the tag).
  bool apply_exif_orientation = true;
};

enum class ImageFormat { unknown, png, jpeg, webp, gif, bmp };

// The format whose signature starts `bytes`.
ImageFormat sniff_image_format(std::span<const uint8_t> bytes);

Result<RgbImage> decode_image(std::span<const uint8_t> bytes, const ImageDecodeOptions& options = {});

// Reads the whole file (refusing files over 1 GiB) and decodes it; errors name the path.
Result<RgbImage> load_image_file(const std::filesystem::path& path, const ImageDecodeOptions& options = {});

}  // namespace hearth::media
