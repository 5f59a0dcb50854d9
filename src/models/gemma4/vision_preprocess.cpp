#include "models/gemma4/vision_preprocess.h"

#include <algorithm>
#include <cmath>

#include "media/image_resize.h"

namespace hearth::models::gemma4 {

bool is_supported_token_budget(int64_t budget) {
  return budget == 70 || budget == 140 || budget == 280 || budget == 560 || budget == 1120;
}

Status check_token_budget(std::string_view name, int64_t value) {
  if (is_supported_token_budget(value)) return Status::success();
  return make_error(name, " must be one of 70, 140, 280, 560, 1120 (got ", value, ")");
}

ImageTokenBudget image_token_budget(std::optional<int64_t> min_tokens, std::optional<int64_t> max_tokens,
                                    const ImageTokenBudget& fallback) {
  ImageTokenBudget budget{min_tokens.value_or(fallback.min_tokens), max_tokens.value_or(fallback.max_tokens)};
  budget.min_tokens = std::min(budget.min_tokens, budget.max_tokens);
  return budget;
}

ImageSize vision_input_size(const VisionConfig& config, int64_t width, int64_t height, const ImageTokenBudget& budget) {
  // Float arithmetic as in llama.cpp's calc_size_preserved_ratio, which decides the size to the pixel.
  const int64_t align = config.token_pixels();
  const auto f_align = static_cast<float>(align);
  const auto round_to = [&](float x) { return static_cast<int64_t>(std::round(x / f_align)) * align; };
  const auto floor_to = [&](float x) { return std::max(align, static_cast<int64_t>(std::floor(x / f_align)) * align); };
  const auto ceil_to = [&](float x) { return static_cast<int64_t>(std::ceil(x / f_align)) * align; };
  const int64_t max_pixels = budget.max_tokens * align * align;
  const int64_t min_pixels = std::min(budget.min_tokens, budget.max_tokens) * align * align;
  const auto w = static_cast<float>(width), h = static_cast<float>(height);

  ImageSize size{std::max(align, round_to(w)), std::max(align, round_to(h))};
  if (size.width * size.height > max_pixels) {
    const float beta = std::sqrt(h * w / static_cast<float>(max_pixels));
    size = {floor_to(w / beta), floor_to(h / beta)};
  } else if (size.width * size.height < min_pixels) {
    const float beta = std::sqrt(static_cast<float>(min_pixels) / (h * w));
    size = {ceil_to(w * beta), ceil_to(h * beta)};
    // With the minimum close to the maximum, rounding both sides up can pass the maximum.
    if (size.width * size.height > max_pixels) size = {floor_to(w * beta), floor_to(h * beta)};
  }
  return size;
}

Result<media::RgbImage> preprocess_image(const VisionConfig& config, const media::RgbImage& image, const ImageTokenBudget& budget) {
  if (budget.min_tokens <= 0 || budget.max_tokens <= 0) {
    return make_error("image token budget must be positive, got ", budget.min_tokens, "..", budget.max_tokens);
  }
  if (image.width <= 0 || image.height <= 0) return make_error("image has no pixels");
  const ImageSize size = vision_input_size(config, image.width, image.height, budget);
  return media::letterbox_image(image, size.width, size.height, media::ResampleFilter::bilinear, {0, 0, 0});
}

}  // namespace hearth::models::gemma4
