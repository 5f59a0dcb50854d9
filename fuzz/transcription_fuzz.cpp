// libFuzzer harness for the transcription routes before the model: the multipart form's fields (read by
// parse_transcription_form), the uploaded audio decoded and cut into windows, and the transcript formats
// over windows whose "generated" text is the form's prompt. Input: fields separated by a line "--", each a
// name line followed by the value (the rest of the part), so seeds are readable and mutations keep the shape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/transcript_format.h"
#include "server/transcription_form.h"

namespace {

constexpr std::string_view kSeparator = "\n--\n";

httplib::MultipartFormDataMap fields_of(std::string_view input) {
  httplib::MultipartFormDataMap fields;
  while (!input.empty()) {
    const size_t end = input.find(kSeparator);
    const std::string_view part = input.substr(0, end);
    const size_t newline = part.find('\n');
    const std::string name(part.substr(0, newline));
    const std::string value(newline == std::string_view::npos ? std::string_view() : part.substr(newline + 1));
    fields.emplace(name, httplib::MultipartFormData{name, value, name == "file" ? "audio" : "", ""});
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + kSeparator.size());
  }
  return fields;
}

void format_everything(const hearth::server::TranscriptionForm& form) {
  // One-second windows and a one-minute limit keep every input cheap while still cutting several windows.
  hearth::Result<std::vector<hearth::engine::AudioWindow>> windows =
      hearth::engine::audio_windows({reinterpret_cast<const uint8_t*>(form.audio.data()), form.audio.size()}, 1.0, 60.0);
  if (!windows.ok()) return;
  hearth::engine::TranscriptBuilder builder(form.hints);
  for (const hearth::engine::AudioWindow& window : *windows) {
    static_cast<void>(builder.feed(form.hints.prompt));
    builder.end_window(window, 1, 1);
  }
  const hearth::engine::Transcript& transcript = builder.transcript();
  static_cast<void>(hearth::engine::format_srt(transcript.segments));
  static_cast<void>(hearth::engine::format_vtt(transcript.segments));
  static_cast<void>(hearth::engine::transcript_json(transcript, true).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const httplib::MultipartFormDataMap fields = fields_of({reinterpret_cast<const char*>(data), size});
  for (hearth::engine::TranscriptTask task : {hearth::engine::TranscriptTask::transcribe, hearth::engine::TranscriptTask::translate}) {
    const auto parsed = hearth::server::parse_transcription_form(fields, task);
    if (const auto* form = std::get_if<hearth::server::TranscriptionForm>(&parsed)) {
      static_cast<void>(hearth::engine::transcription_instruction(form->hints));
      if (task == hearth::engine::TranscriptTask::transcribe) format_everything(*form);
    }
  }
  return 0;
}
