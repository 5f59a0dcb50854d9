#pragma once
// Images and audio clips attached to a request, and the encoders that turn them into soft tokens: the
// towers of a projector GGUF (--mmproj, a store's projector layer) or of the model file itself (Ollama's
// single files). Spec: gemma4.md §5–7.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "models/gemma4/audio_encoder.h"
#include "models/gemma4/vision_encoder.h"
#include "models/gemma4/vision_preprocess.h"

namespace hearth::engine {

enum class MediaKind { image, audio };

struct MediaItem {
  MediaKind kind = MediaKind::image;
  std::vector<uint8_t> bytes;  // the file as uploaded
};

// What the bytes are, from their magic numbers (PNG, JPEG, GIF, WebP, BMP / WAV, MP3, FLAC, OGG); nullopt
// for anything else. Ollama sends audio in its `images` field, so the kind comes from the content.
std::optional<MediaKind> sniff_media(std::span<const uint8_t> bytes);

// Whether the file carries an image or audio tower (`v.` / `a.` tensors).
bool has_media_towers(const gguf::GgufFile& file);

struct SoftTokens {
  MediaKind kind = MediaKind::image;
  int64_t n_tokens = 0;
  std::vector<float> rows;  // [n_tokens][n_embd of the text model]
};

struct MediaLimits {
  models::gemma4::ImageTokenBudget image_tokens;
  double max_audio_seconds = 1800.0;
};

class MediaEncoders {
 public:
  // Loads whichever towers `file` has; an empty result (no tower) is not an error.
  static Result<std::unique_ptr<MediaEncoders>> load(const std::filesystem::path& file);

  bool has_vision() const { return vision_.has_value(); }
  bool has_audio() const { return audio_ != nullptr; }
  // Decodes and encodes one attachment; errors say what is wrong with it. Not safe for concurrent calls.
  Result<SoftTokens> encode(const MediaItem& item, const MediaLimits& limits) const;

 private:
  std::unique_ptr<gguf::GgufFile> file_;  // vision weights point into it
  std::optional<models::gemma4::VisionEncoder> vision_;
  std::unique_ptr<models::gemma4::AudioEncoder> audio_;
};

}  // namespace hearth::engine
