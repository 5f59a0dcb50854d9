#pragma once
// The Gemma 4 vision encoder (spec/gemma4.md §5): an image in, one soft token per 3×3 patches out, each a
// row of the text model's width.
//
// How the engine uses the soft tokens (§7; llama.cpp's mtmd, which the goldens follow):
//  - The prompt holds the begin marker `<|image>`, then one position per soft token, then `<image|>`
//    (markers are ordinary tokens, looked up in the vocabulary by string). The soft tokens take consecutive
//    1-D positions like text tokens.
//  - The input rows at those positions are ImageEmbeddings::values as they are: no √d embedding scale.
//    Per-layer embeddings (when the model has them) use token id 0 for the token part.
//  - Attention: the soft tokens of one image attend to each other in both directions (llama.cpp decodes
//    an image chunk with causal attention off, for every model size) and causally to everything before;
//    the markers and the text after are causal. With cpu::attention that is a BidirectionalRange over the
//    soft tokens' positions; the whole image must be in one micro-batch.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/result.h"
#include "cpu/ops.h"
#include "gguf/gguf_file.h"
#include "media/image_types.h"
#include "models/gemma4/vision_config.h"
#include "models/gemma4/vision_preprocess.h"
#include "models/gemma4/vision_weights.h"

namespace hearth::models::gemma4 {

struct ImageEmbeddings {
  int64_t n_tokens = 0;
  int64_t n_embd = 0;       // the text model's width
  int64_t grid_width = 0;   // soft tokens per row of the image
  int64_t grid_height = 0;
  std::vector<float> values;  // [n_tokens][n_embd]; token (column x, row y) is row x + grid_width·y
};

struct VisionRunOptions {
  // as_stored: llama.cpp's CPU numerics (activations rounded to F16 before each F16 matmul), to reproduce
  // its outputs; f32_upcast: exact f32 products.
  cpu::LinearNumerics numerics = cpu::LinearNumerics::as_stored;
  cpu::OpContext ctx = cpu::default_op_context();
};

class VisionEncoder {
 public:
  // The tower of an mmproj GGUF or of an Ollama-style model file; `file` must outlive the encoder (the
  // weights are views into its mapping).
  static Result<VisionEncoder> load(const gguf::GgufFile& file);

  const VisionConfig& config() const { return config_; }
  const VisionWeights& weights() const { return weights_; }

 private:
  VisionEncoder(VisionConfig config, VisionWeights weights) : config_(std::move(config)), weights_(std::move(weights)) {}
  VisionConfig config_;
  VisionWeights weights_;
};

// Preprocesses `image` for `budget` (vision_preprocess.h) and encodes it.
Result<ImageEmbeddings> encode_image(const VisionEncoder& encoder, const media::RgbImage& image, const ImageTokenBudget& budget,
                                     const VisionRunOptions& options = {});

// Encodes an image already at the encoder's input size: both sides multiples of config().token_pixels()
// and at most position_table_size patches.
Result<ImageEmbeddings> encode_preprocessed_image(const VisionEncoder& encoder, const media::RgbImage& image,
                                                  const VisionRunOptions& options = {});

}  // namespace hearth::models::gemma4
