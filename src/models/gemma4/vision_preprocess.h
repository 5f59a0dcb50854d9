#pragma once
// Image preprocessing for the Gemma 4 vision tower as llama.cpp's mtmd does it for gemma4v (the goldens'
// oracle; spec/gemma4.md §5.1, "llama.cpp" row):
//   1. each side rounded to a multiple of 48 (= patch 16 × pooling 3) at the original scale, at least 48;
//   2. if that exceeds the budget's maximum (max · 48² pixels), both sides are scaled by
//      sqrt(w·h / (max·48²)) and rounded down to multiples of 48; if it is under the minimum, scaled up
//      to min · 48² pixels and rounded up (down where rounding up would pass the maximum);
//   3. the image is fitted into that size with its aspect ratio kept (Pillow's bilinear filter, antialiased
//      when shrinking; media/image_resize.h) and centred on a black canvas (a row or column of padding when
//      the rounding changed the aspect ratio).
// The maximum caps the soft tokens of an image and the minimum lifts small images (HF's processor always
// fills the maximum instead). Soft tokens per image = (width/48)·(height/48) of the result.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "media/image_types.h"
#include "models/gemma4/vision_config.h"

namespace hearth::models::gemma4 {

// hearth's defaults (spec/api.md §2.8): twice HF's 280 so that screenshots stay readable, and a floor of 70
// for small images. llama.cpp's gemma4v limits, which the goldens were made with, are 40 and 280.
inline constexpr int64_t kDefaultImageMaxTokens = 560;
inline constexpr int64_t kDefaultImageMinTokens = 70;

// The soft-token range of one image, chosen per request.
struct ImageTokenBudget {
  int64_t min_tokens = kDefaultImageMinTokens;
  int64_t max_tokens = kDefaultImageMaxTokens;
};

// The budgets the model was trained with: 70, 140, 280, 560, 1120.
bool is_supported_token_budget(int64_t budget);

// A budget value a user gave (named `name` in the error) must be one of the trained budgets.
Status check_token_budget(std::string_view name, int64_t value);

// The budget from the values a user gave over `fallback`; a minimum above the maximum is lowered to it.
ImageTokenBudget image_token_budget(std::optional<int64_t> min_tokens, std::optional<int64_t> max_tokens,
                                    const ImageTokenBudget& fallback = {});

struct ImageSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The encoder input size for an image of width × height under `budget` (steps 1–2 above).
ImageSize vision_input_size(const VisionConfig& config, int64_t width, int64_t height, const ImageTokenBudget& budget);

// The image resized and padded for the encoder (steps 1–3); its sides are multiples of token_pixels().
Result<media::RgbImage> preprocess_image(const VisionConfig& config, const media::RgbImage& image, const ImageTokenBudget& budget);

}  // namespace hearth::models::gemma4
