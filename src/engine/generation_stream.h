#pragma once
// Hands one request's output from the scheduler thread to the thread that answers it (an HTTP handler, the
// CLI). The scheduler's callbacks only queue; the reading thread parses the text into thinking / content /
// tool calls. Cancelling (client gone, Ctrl+C) stops the generation at the scheduler's next step.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "chat/chat_format.h"
#include "engine/scheduler.h"

namespace hearth::engine {

class GenerationStream {
 public:
  struct Update {
    std::vector<chat::ChatEvent> events;
    std::vector<engine::TokenEvent> tokens;  // with logprobs when requested
    std::optional<engine::GenerationResult> done;
  };

  // Submits the request; `parser` (may be null: all text is content) reads the generated text.
  static Result<std::shared_ptr<GenerationStream>> start(engine::Scheduler& scheduler, engine::GenerationRequest request,
                                                         std::unique_ptr<chat::ChatParser> parser);
  ~GenerationStream();

  // Waits up to `wait` for output; `done` is set once, on the last update.
  Update next(std::chrono::milliseconds wait);
  // Everything until the end, for non-streaming answers.
  Update drain();
  void cancel();
  // The generation's result once next() or drain() has handed it out; nullopt before (or if it never
  // finished, as when the client went away).
  std::optional<engine::GenerationResult> final_result() const;

 private:
  GenerationStream(engine::Scheduler& scheduler, std::unique_ptr<chat::ChatParser> parser)
      : scheduler_(scheduler), parser_(std::move(parser)) {}

  engine::Scheduler& scheduler_;
  std::unique_ptr<chat::ChatParser> parser_;
  engine::RequestId id_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<engine::TokenEvent> pending_;
  std::optional<engine::GenerationResult> result_;
  bool finished_ = false;  // the last update was handed out
  std::optional<engine::GenerationResult> final_result_;
};

}  // namespace hearth::engine
