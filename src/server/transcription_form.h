#pragma once
// The multipart/form-data fields of POST /v1/audio/transcriptions and /v1/audio/translations (spec/api.md
// §3.5), checked before any model is involved: 400 for a missing or malformed field, 413 for an upload over
// the limit.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "engine/transcript_format.h"
#include "server/turn.h"
#include "store/http_client.h"

namespace hearth::server {

// OpenAI's upload limit for audio files.
inline constexpr size_t kMaxAudioUploadBytes = 25u << 20;

struct TranscriptionForm {
  std::string model;
  std::string audio;  // the uploaded file's bytes
  engine::TranscriptionHints hints;
  engine::TranscriptFormat format = engine::TranscriptFormat::json;
  float temperature = 0.0f;
  bool stream = false;
  std::optional<int32_t> max_tokens;  // per window; hearth's own field
};

std::variant<TranscriptionForm, HttpError> parse_transcription_form(const httplib::MultipartFormDataMap& fields,
                                                                     engine::TranscriptTask task);

}  // namespace hearth::server
