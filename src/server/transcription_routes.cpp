// POST /v1/audio/transcriptions and /v1/audio/translations (spec/api.md §3.5): the uploaded audio is cut into
// 30 s windows, each transcribed as one chat turn (engine/transcription.h) while a lease keeps the model
// loaded; the answer is the joined transcript in the requested format, or SSE transcript.text.delta events
// as the text comes, closed by transcript.text.done.
#include <memory>

#include "engine/transcript_format.h"
#include "server/http_util.h"
#include "server/routes.h"
#include "server/transcription_form.h"

namespace hearth::server {
namespace {

using nlohmann::json;

// One request's progress through its windows.
struct TranscriptionJob {
  TranscriptionJob(std::unique_ptr<Turn> lease, TranscriptionForm request, std::vector<engine::AudioWindow> audio)
      : model(std::move(lease)), form(std::move(request)), windows(std::move(audio)), builder(form.hints) {}

  std::unique_ptr<Turn> model;  // holds the model loaded between the windows' turns
  TranscriptionForm form;
  std::vector<engine::AudioWindow> windows;
  size_t next_window = 0;
  std::unique_ptr<Turn> turn;  // of windows[next_window] while it runs
  engine::TranscriptBuilder builder;
};

std::optional<HttpError> start_window(ServerContext& context, TranscriptionJob& job) {
  const engine::AudioWindow& window = job.windows[job.next_window];
  TurnRequest request;
  request.model = job.form.model;
  request.conversation = ParsedConversation{engine::transcription_request(job.form.hints).messages, {window.clip}};
  request.think = false;
  request.settings.sampling.temperature = job.form.temperature;
  request.settings.sampling.num_predict =
      job.form.max_tokens.value_or(engine::max_tokens_for_window(window.end_seconds - window.start_seconds));
  std::variant<std::unique_ptr<Turn>, HttpError> started = start_turn(context.manager, request, &context.metrics);
  if (auto* error = std::get_if<HttpError>(&started)) return *error;
  job.turn = std::move(std::get<std::unique_ptr<Turn>>(started));
  return std::nullopt;
}

// Feeds one update of the running window into the transcript; returns the text to show now. Ends the window
// when the update is its last.
std::string take_update(TranscriptionJob& job, const engine::GenerationStream::Update& update) {
  std::string shown;
  for (const chat::ChatEvent& event : update.events) {
    if (event.type == chat::ChatEvent::Type::content) shown += job.builder.feed(event.text);
  }
  if (update.done && update.done->reason != engine::FinishReason::error) {
    job.builder.end_window(job.windows[job.next_window], update.done->prompt_tokens, update.done->generated_tokens);
    job.turn.reset();
    ++job.next_window;
  }
  return shown;
}

void send_transcript(const TranscriptionForm& form, const engine::Transcript& transcript, httplib::Response& res) {
  switch (form.format) {
    case engine::TranscriptFormat::json:
    case engine::TranscriptFormat::verbose_json:
      return send_json(res, 200, engine::transcript_json(transcript, form.format == engine::TranscriptFormat::verbose_json));
    case engine::TranscriptFormat::text:
      return res.set_content(transcript.text + "\n", "text/plain; charset=utf-8");
    case engine::TranscriptFormat::srt:
      return res.set_content(engine::format_srt(transcript.segments), "text/plain; charset=utf-8");
    case engine::TranscriptFormat::vtt:
      return res.set_content(engine::format_vtt(transcript.segments), "text/vtt; charset=utf-8");
  }
}

void answer_whole(ServerContext& context, TranscriptionJob& job, httplib::Response& res) {
  while (job.next_window < job.windows.size()) {
    if (std::optional<HttpError> error = start_window(context, job)) return openai_error(res, error->status, error->message);
    const engine::GenerationStream::Update all = job.turn->stream->drain();
    if (all.done->reason == engine::FinishReason::error) return openai_error(res, 500, all.done->error);
    take_update(job, all);
  }
  send_transcript(job.form, job.builder.transcript(), res);
}

std::string sse(const json& event) { return "data: " + dump(event) + "\n\n"; }

void answer_stream(ServerContext& context, std::shared_ptr<TranscriptionJob> job, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [&context, job](size_t, httplib::DataSink& sink) {
    if (!sink.is_writable()) {
      if (job->turn) job->turn->stream->cancel();
      return false;
    }
    std::string out;
    bool finished = false;
    if (!job->turn) {
      if (std::optional<HttpError> error = start_window(context, *job)) {
        out = sse(openai_error_body(error->status, error->message));
        finished = true;
      }
    }
    if (job->turn) {
      const engine::GenerationStream::Update update = job->turn->stream->next(std::chrono::milliseconds(100));
      if (const std::string delta = take_update(*job, update); !delta.empty()) {
        out += sse({{"type", "transcript.text.delta"}, {"delta", delta}});
      }
      if (update.done && update.done->reason == engine::FinishReason::error) {
        out += sse(openai_error_body(500, update.done->error));
        finished = true;
      }
    }
    if (!finished && job->next_window == job->windows.size()) {
      const engine::Transcript& transcript = job->builder.transcript();
      out += sse({{"type", "transcript.text.done"}, {"text", transcript.text}, {"usage", engine::transcript_usage_json(transcript)}});
      out += "data: [DONE]\n\n";
      finished = true;
    }
    if (!out.empty() && !sink.write(out.data(), out.size())) {
      if (job->turn) job->turn->stream->cancel();
      return false;
    }
    if (finished) sink.done();
    return true;
  });
}

void handle(ServerContext& context, engine::TranscriptTask task, const httplib::Request& req, httplib::Response& res) {
  ++context.metrics.requests;
  const auto refuse = [&](const HttpError& error) {
    ++context.metrics.request_errors;
    openai_error(res, error.status, error.message);
  };
  if (!req.is_multipart_form_data()) return refuse({400, "the request must be multipart/form-data with the audio in the file field"});
  std::variant<TranscriptionForm, HttpError> parsed = parse_transcription_form(req.files, task);
  if (auto* error = std::get_if<HttpError>(&parsed)) return refuse(*error);
  TranscriptionForm& form = std::get<TranscriptionForm>(parsed);

  std::variant<ModelManager::Lease, HttpError> leased = load_only(context.manager, form.model);
  if (auto* error = std::get_if<HttpError>(&leased)) return refuse(*error);
  auto lease = std::make_unique<Turn>(context.manager, std::move(std::get<ModelManager::Lease>(leased)), KeepAlive{});
  const engine::LoadedModel& loaded = *lease->model().loaded;
  if (!loaded.media || !loaded.media->has_audio()) return refuse({400, "model does not support audio input"});
  Result<std::vector<engine::AudioWindow>> windows =
      engine::audio_windows({reinterpret_cast<const uint8_t*>(form.audio.data()), form.audio.size()}, engine::kDefaultWindowSeconds,
                            engine::MediaLimits{}.max_audio_seconds);
  if (!windows) return refuse({400, "invalid audio file: " + windows.error()});
  std::string().swap(form.audio);  // the windows hold the samples now
  const bool stream = form.stream;
  auto job = std::make_shared<TranscriptionJob>(std::move(lease), std::move(form), std::move(*windows));
  if (stream) return answer_stream(context, std::move(job), res);
  answer_whole(context, *job, res);
}

}  // namespace

void register_transcription_routes(httplib::Server& http, ServerContext& context) {
  http.Post("/v1/audio/transcriptions", [&context](const httplib::Request& req, httplib::Response& res) {
    handle(context, engine::TranscriptTask::transcribe, req, res);
  });
  http.Post("/v1/audio/translations", [&context](const httplib::Request& req, httplib::Response& res) {
    handle(context, engine::TranscriptTask::translate, req, res);
  });
}

}  // namespace hearth::server
