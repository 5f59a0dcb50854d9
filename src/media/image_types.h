#pragma once
// A decoded image as the encoders see it: 8-bit RGB, rows top to bottom, pixels left to right.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hearth::media {

struct RgbImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;  // [height][width][3], R G B

  uint8_t* pixel(int64_t x, int64_t y) { return pixels.data() + (y * width + x) * 3; }
  const uint8_t* pixel(int64_t x, int64_t y) const { return pixels.data() + (y * width + x) * 3; }
};

// A black image of the given size.
inline RgbImage make_rgb_image(int64_t width, int64_t height) {
  return RgbImage{width, height, std::vector<uint8_t>(static_cast<size_t>(width * height * 3), 0)};
}

}  // namespace hearth::media
