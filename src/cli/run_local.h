#pragma once
// `hearth run` on a model loaded in this process, through a one-slot scheduler.
#include <memory>

#include "cli/run_backend.h"
#include "engine/loaded_model.h"
#include "engine/scheduler.h"
#include "store/model_store.h"

namespace hearth::cli {

class LocalBackend final : public RunBackend {
 public:
  static Result<std::unique_ptr<LocalBackend>> open(const store::ResolvedModel& resolved, const RunSettings& settings);

  Result<ReplyStats> reply(const chat::ChatRequest& request, std::span<const engine::MediaItem> media, const RunSettings& settings,
                           const std::function<void(const chat::ChatEvent&)>& on_event,
                           const std::atomic<bool>& interrupted) override;
  Status apply_settings(const RunSettings& settings) override;
  void print_info() const override;

 private:
  LocalBackend(std::shared_ptr<engine::LoadedModel> model, store::ResolvedModel resolved)
      : model_(std::move(model)), resolved_(std::move(resolved)) {}
  int64_t context_size(const RunSettings& settings) const;

  std::shared_ptr<engine::LoadedModel> model_;
  store::ResolvedModel resolved_;
  std::unique_ptr<engine::Scheduler> scheduler_;
  int64_t scheduler_ctx_ = 0;
  bool reported_load_ = false;
};

}  // namespace hearth::cli
