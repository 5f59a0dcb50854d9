#include "engine/media_input.h"

#include <cstring>

#include "media/audio_decode.h"
#include "media/image_decode.h"

namespace hearth::engine {
namespace {

bool starts_with(std::span<const uint8_t> bytes, size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() && std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

// A tower is present when the file holds a tensor with its prefix.
bool has_tensor_prefix(const gguf::GgufFile& file, std::string_view prefix) {
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    if (tensor.name.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

bool has_media_towers(const gguf::GgufFile& file) { return has_tensor_prefix(file, "v.") || has_tensor_prefix(file, "a."); }

std::optional<MediaKind> sniff_media(std::span<const uint8_t> bytes) {
  if (starts_with(bytes, 0, "\x89PNG") || starts_with(bytes, 0, "\xFF\xD8\xFF") || starts_with(bytes, 0, "GIF8") ||
      (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBP")) || starts_with(bytes, 0, "BM")) {
    return MediaKind::image;
  }
  if ((starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WAVE")) || starts_with(bytes, 0, "ID3") ||
      starts_with(bytes, 0, "fLaC") || starts_with(bytes, 0, "OggS") ||
      (bytes.size() >= 2 && bytes[0] == 0xFF && (bytes[1] & 0xE0) == 0xE0)) {
    return MediaKind::audio;
  }
  return std::nullopt;
}

Result<std::unique_ptr<MediaEncoders>> MediaEncoders::load(const std::filesystem::path& path) {
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(path);
  if (!file) return make_error(path.string(), ": ", file.error());
  auto encoders = std::make_unique<MediaEncoders>();
  if (has_tensor_prefix(**file, "v.")) {
    Result<models::gemma4::VisionEncoder> vision = models::gemma4::VisionEncoder::load(**file);
    if (!vision) return make_error(path.string(), ": vision tower: ", vision.error());
    encoders->vision_.emplace(std::move(*vision));
  }
  if (has_tensor_prefix(**file, "a.")) {
    Result<std::unique_ptr<models::gemma4::AudioEncoder>> audio = models::gemma4::AudioEncoder::load(path);
    if (!audio) return make_error(path.string(), ": audio tower: ", audio.error());
    encoders->audio_ = std::move(*audio);
  }
  encoders->file_ = std::move(*file);
  return encoders;
}

Result<SoftTokens> MediaEncoders::encode(const MediaItem& item, const MediaLimits& limits) const {
  if (item.bytes.empty()) return make_error(item.kind == MediaKind::audio ? "the audio file is empty" : "the image is empty");
  if (item.kind == MediaKind::image) {
    if (!vision_) return make_error("this model does not support image input");
    Result<media::RgbImage> image = media::decode_image(item.bytes);
    if (!image) return make_error("image: ", image.error());
    Result<models::gemma4::ImageEmbeddings> embedded = models::gemma4::encode_image(*vision_, *image, limits.image_tokens);
    if (!embedded) return make_error("image: ", embedded.error());
    return SoftTokens{MediaKind::image, embedded->n_tokens, std::move(embedded->values)};
  }
  if (!audio_) return make_error("this model does not support audio input");
  media::AudioDecodeOptions options;
  options.max_seconds = limits.max_audio_seconds;
  Result<media::DecodedAudio> audio = media::decode_audio_memory(item.bytes, options);
  if (!audio) return make_error("audio: ", audio.error());
  Result<models::gemma4::AudioEmbeddings> embedded = models::gemma4::encode_audio(*audio_, audio->samples);
  if (!embedded) return make_error("audio: ", embedded.error());
  return SoftTokens{MediaKind::audio, embedded->n_tokens, std::move(embedded->values)};
}

}  // namespace hearth::engine
