#pragma once
// Image preprocessing for the Gemma 4 vision tower as llama.cpp's mtmd does it for gemma4v (the goldens'
// oracle; spec/gemma4.md §5.1, "llama.cpp" row):
//   1. each side rounded to a multiple of 48 (= patch 16 × pooling 3) at the original scale, at least 48;
//   2. if that exceeds the token budget (budget · 48² pixels), both sides are scaled by
//      sqrt(w·h / (budget·48²)) and rounded down to multiples of 48; if it is under 40 tokens, scaled up
//      to 40 · 48² pixels and rounded up;
//   3. the image is fitted into that size with its aspect ratio kept (Pillow's bilinear filter, antialiased
//      when shrinking; media/image_resize.h) and centred on a black canvas (a row or column of padding when
//      the rounding changed the aspect ratio).
// The budget caps the soft tokens of an image; it does not upscale (HF's processor fills the budget
// instead; a small image gets more tokens there).
#include <cstdint>

#include "core/result.h"
#include "media/image_types.h"
#include "models/gemma4/vision_config.h"

namespace hearth::models::gemma4 {

// The default of HF's Gemma4ImageProcessor (max_soft_tokens) and llama.cpp's gemma4v token limit.
inline constexpr int64_t kDefaultImageTokenBudget = 280;
// llama.cpp's minimum for gemma4v: smaller images are scaled up to at least this many soft tokens.
inline constexpr int64_t kMinImageTokens = 40;

// The budgets the model was trained with: 70, 140, 280, 560, 1120.
bool is_supported_token_budget(int64_t budget);

struct ImageSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The encoder input size for an image of width × height under `token_budget` (steps 1–2 above).
ImageSize vision_input_size(const VisionConfig& config, int64_t width, int64_t height, int64_t token_budget);

// The image resized and padded for the encoder (steps 1–3); its sides are multiples of token_pixels().
Result<media::RgbImage> preprocess_image(const VisionConfig& config, const media::RgbImage& image, int64_t token_budget);

}  // namespace hearth::models::gemma4
