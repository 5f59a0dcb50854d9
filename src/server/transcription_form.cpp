#include "server/transcription_form.h"

#include <charconv>
#include <cmath>

namespace hearth::server {
namespace {

constexpr size_t kMaxLanguageBytes = 64;
constexpr size_t kMaxPromptBytes = 8192;

const httplib::MultipartFormData* field(const httplib::MultipartFormDataMap& fields, const std::string& name) {
  const auto found = fields.find(name);
  return found == fields.end() ? nullptr : &found->second;
}

std::string text_field(const httplib::MultipartFormDataMap& fields, const std::string& name) {
  const httplib::MultipartFormData* value = field(fields, name);
  return value ? value->content : std::string();
}

// A field's value for an error message, cut short: it comes from the client.
std::string quoted(const std::string& value) {
  constexpr size_t kShown = 40;
  return "'" + (value.size() > kShown ? value.substr(0, kShown) + "…" : value) + "'";
}

template <typename T>
std::optional<T> parse_number(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [used, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || used != end) return std::nullopt;
  return value;
}

}  // namespace

std::variant<TranscriptionForm, HttpError> parse_transcription_form(const httplib::MultipartFormDataMap& fields,
                                                                     engine::TranscriptTask task) {
  TranscriptionForm form;
  form.hints.task = task;
  const httplib::MultipartFormData* file = field(fields, "file");
  if (!file) return HttpError{400, "file is required"};
  if (file->content.empty()) return HttpError{400, "audio file is empty"};
  if (file->content.size() > kMaxAudioUploadBytes) {
    return HttpError{413, "the audio file is " + std::to_string(file->content.size()) + " bytes; the limit is " +
                              std::to_string(kMaxAudioUploadBytes) + " bytes (25 MiB)"};
  }
  form.model = text_field(fields, "model");
  if (form.model.empty()) return HttpError{400, "model is required"};

  form.hints.language = text_field(fields, "language");
  if (form.hints.language.size() > kMaxLanguageBytes) return HttpError{400, "language is too long"};
  form.hints.prompt = text_field(fields, "prompt");
  if (form.hints.prompt.size() > kMaxPromptBytes) return HttpError{400, "prompt is longer than " + std::to_string(kMaxPromptBytes) + " bytes"};

  if (const std::string format = text_field(fields, "response_format"); !format.empty()) {
    const std::optional<engine::TranscriptFormat> parsed = engine::parse_transcript_format(format);
    if (!parsed) return HttpError{400, "response_format must be json, text, srt, verbose_json or vtt, got " + quoted(format)};
    form.format = *parsed;
  }
  if (const std::string temperature = text_field(fields, "temperature"); !temperature.empty()) {
    const std::optional<float> value = parse_number<float>(temperature);
    if (!value || !std::isfinite(*value) || *value < 0.0f || *value > 2.0f) {
      return HttpError{400, "temperature must be a number from 0 to 2, got " + quoted(temperature)};
    }
    form.temperature = *value;
  }
  if (const std::string stream = text_field(fields, "stream"); !stream.empty()) {
    if (stream != "true" && stream != "false") return HttpError{400, "stream must be true or false, got " + quoted(stream)};
    form.stream = stream == "true";
  }
  if (form.stream && form.format != engine::TranscriptFormat::json && form.format != engine::TranscriptFormat::text) {
    return HttpError{400, "streaming supports response_format json or text"};
  }
  if (const std::string max_tokens = text_field(fields, "max_tokens"); !max_tokens.empty()) {
    const std::optional<int32_t> value = parse_number<int32_t>(max_tokens);
    if (!value || *value < 1) return HttpError{400, "max_tokens must be a positive integer, got " + quoted(max_tokens)};
    form.max_tokens = *value;
  }
  for (const auto& [name, granularity] : fields) {
    if (name.starts_with("timestamp_granularities") && granularity.content != "segment") {
      return HttpError{400, "only segment timestamps are supported, not " + quoted(granularity.content)};
    }
  }
  form.audio = file->content;
  return form;
}

}  // namespace hearth::server
