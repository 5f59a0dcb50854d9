#pragma once
// The EXIF orientation tag (TIFF tag 0x0112 in IFD0 of a JPEG APP1 "Exif" segment) and the rotation or
// mirroring it asks for.
#include <cstdint>
#include <span>

#include "media/image_types.h"

namespace hearth::media {

// The orientation (1–8) in the payload of an APP1 segment (starting "Exif\0\0"), or 1 when the segment is
// not EXIF, has no orientation tag, or is malformed: every offset is bounds-checked.
int exif_orientation(std::span<const uint8_t> app1_payload);

// The image as displayed under `orientation` (1 = as stored; 2–8 mirror and/or rotate; 5–8 swap width and
// height). Values outside 1–8 leave it unchanged.
RgbImage apply_orientation(const RgbImage& image, int orientation);

}  // namespace hearth::media
