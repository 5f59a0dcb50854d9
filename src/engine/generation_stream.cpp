#include "engine/generation_stream.h"

namespace hearth::engine {

Result<std::shared_ptr<GenerationStream>> GenerationStream::start(engine::Scheduler& scheduler,
                                                                  engine::GenerationRequest request,
                                                                  std::unique_ptr<chat::ChatParser> parser) {
  auto stream = std::shared_ptr<GenerationStream>(new GenerationStream(scheduler, std::move(parser)));
  std::weak_ptr<GenerationStream> weak = stream;
  request.on_token = [weak](const engine::TokenEvent& event) {
    const std::shared_ptr<GenerationStream> self = weak.lock();
    if (!self) return false;
    std::lock_guard lock(self->mutex_);
    self->pending_.push_back(event);
    self->ready_.notify_all();
    return true;
  };
  request.on_done = [weak](const engine::GenerationResult& result) {
    const std::shared_ptr<GenerationStream> self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->mutex_);
    self->result_ = result;
    self->ready_.notify_all();
  };
  Result<engine::RequestId> id = scheduler.submit(std::move(request));
  if (!id) return make_error(id.error());
  stream->id_ = *id;
  return stream;
}

GenerationStream::~GenerationStream() {
  if (!finished_) scheduler_.cancel(id_);
}

GenerationStream::Update GenerationStream::next(std::chrono::milliseconds wait) {
  Update update;
  {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, wait, [&] { return !pending_.empty() || result_.has_value(); });
    update.tokens.swap(pending_);
    if (result_) {
      update.done = std::move(result_);
      final_result_ = update.done;
    }
    result_.reset();
  }
  auto feed = [&](std::string_view text) {
    if (text.empty()) return;
    if (!parser_) {
      update.events.push_back({chat::ChatEvent::Type::content, std::string(text), {}});
      return;
    }
    std::vector<chat::ChatEvent> events = parser_->feed(text);
    update.events.insert(update.events.end(), events.begin(), events.end());
  };
  for (const engine::TokenEvent& token : update.tokens) feed(token.text);
  if (update.done) {
    feed(update.done->final_text);
    if (parser_) {
      std::vector<chat::ChatEvent> events = parser_->finish();
      update.events.insert(update.events.end(), events.begin(), events.end());
    }
    finished_ = true;
  }
  return update;
}

GenerationStream::Update GenerationStream::drain() {
  Update all;
  while (!all.done) {
    Update update = next(std::chrono::milliseconds(100));
    all.events.insert(all.events.end(), update.events.begin(), update.events.end());
    all.tokens.insert(all.tokens.end(), update.tokens.begin(), update.tokens.end());
    all.done = std::move(update.done);
  }
  return all;
}

void GenerationStream::cancel() { scheduler_.cancel(id_); }

std::optional<engine::GenerationResult> GenerationStream::final_result() const {
  std::lock_guard lock(mutex_);
  return final_result_;
}

}  // namespace hearth::engine
