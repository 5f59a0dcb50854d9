// `hearth encode --image`: the Gemma 4 vision encoder on one image file, printing the soft tokens (and with
// --preprocessed the resized image the encoder saw) in the goldens' layout; the text summary gives the
// encoder's time (preprocessing excluded), which docs/performance.md reports.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/encode_modes.h"
#include "gguf/gguf_file.h"
#include "media/image_decode.h"
#include "models/gemma4/vision_encoder.h"
#include "models/gemma4/vision_preprocess.h"

namespace hearth::cli {
namespace {

namespace g4 = models::gemma4;

// The resized image as planar uint8 [3][height][width] (the goldens' image_preproc.u8 layout).
std::vector<uint8_t> planar(const media::RgbImage& image) {
  const int64_t n = image.width * image.height;
  std::vector<uint8_t> planes(static_cast<size_t>(3 * n));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < 3; ++c) planes[c * n + i] = image.pixels[3 * i + c];
  }
  return planes;
}

// The text model's width, when the model file states one, must match the projection's output.
Status check_text_width(const std::string& model_path, int64_t n_embd_text) {
  Result<std::unique_ptr<gguf::GgufFile>> model = gguf::GgufFile::open(model_path);
  if (!model) return Error{model.error()};
  if (!(*model)->find("gemma4.embedding_length")) return Status::success();
  Result<uint64_t> width = (*model)->get_uint("gemma4.embedding_length");
  if (!width) return Error{width.error()};
  if (static_cast<int64_t>(*width) != n_embd_text) {
    return make_error("the projector makes ", n_embd_text, "-wide soft tokens but the text model '", model_path,
                      "' is ", *width, " wide");
  }
  return Status::success();
}

}  // namespace

int run_image_encode(const EncodeArgs& args) {
  const std::string& tower_path = args.mmproj.empty() ? args.model : args.mmproj;
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(tower_path);
  if (!file) return fail(file.error());
  if (!g4::has_vision_tower(**file)) {
    return fail("'" + tower_path + "' has no Gemma 4 vision tower" + (args.mmproj.empty() ? " (give --mmproj FILE)" : ""));
  }
  Result<g4::VisionEncoder> encoder = g4::VisionEncoder::load(**file);
  if (!encoder) return fail("'" + tower_path + "': " + encoder.error());
  if (!args.mmproj.empty()) {
    if (Status width = check_text_width(args.model, encoder->config().n_embd_text); !width) return fail(width.error());
  }

  Result<media::RgbImage> image = media::load_image_file(args.image);
  if (!image) return fail(image.error());
  const g4::ImageTokenBudget budget =
      g4::image_token_budget(std::nullopt, args.image_tokens > 0 ? std::optional<int64_t>(args.image_tokens) : std::nullopt);
  Result<media::RgbImage> resized = g4::preprocess_image(encoder->config(), *image, budget);
  if (!resized) return fail(resized.error());
  g4::VisionRunOptions options;
  options.numerics = args.numerics == "f32" ? cpu::LinearNumerics::f32_upcast : cpu::LinearNumerics::as_stored;
  const auto started = std::chrono::steady_clock::now();
  Result<g4::ImageEmbeddings> embeddings = g4::encode_preprocessed_image(*encoder, *resized, options);
  if (!embeddings) return fail(embeddings.error());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (!args.json) {
    double sum_squares = 0.0;
    for (float v : embeddings->values) sum_squares += static_cast<double>(v) * v;
    std::printf("image %lldx%lld -> encoder input %lldx%lld -> %lld soft tokens (%lldx%lld) of width %lld, L2 %.6g, "
                "encoded in %.3f s\n",
                static_cast<long long>(image->width), static_cast<long long>(image->height),
                static_cast<long long>(resized->width), static_cast<long long>(resized->height),
                static_cast<long long>(embeddings->n_tokens), static_cast<long long>(embeddings->grid_width),
                static_cast<long long>(embeddings->grid_height), static_cast<long long>(embeddings->n_embd),
                std::sqrt(sum_squares), seconds);
    return 0;
  }
  nlohmann::json result;
  result["n_tokens"] = embeddings->n_tokens;
  result["dim"] = embeddings->n_embd;
  result["grid"] = {{"width", embeddings->grid_width}, {"height", embeddings->grid_height}};
  result["values"] = embeddings->values;
  if (args.preprocessed) {
    result["image"] = {{"width", resized->width},
                       {"height", resized->height},
                       {"layout", "planar uint8 [3][height][width]; the encoder input is 2*u8/255 - 1"},
                       {"values", planar(*resized)}};
  }
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

}  // namespace hearth::cli
