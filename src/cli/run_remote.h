#pragma once
// `hearth run` through a running `hearth serve` (/api/chat, streamed), as `ollama run` talks to its server.
#include <memory>
#include <string>

#include "cli/run_backend.h"
#include "store/http_client.h"

namespace hearth::cli {

class RemoteBackend final : public RunBackend {
 public:
  RemoteBackend(std::unique_ptr<httplib::Client> client, std::string model) : client_(std::move(client)), model_(std::move(model)) {}
  // Asks the server to load the model now, so a missing model fails before the first prompt.
  Status preload();

  Result<ReplyStats> reply(const chat::ChatRequest& request, std::span<const engine::MediaItem> media, const RunSettings& settings,
                           const std::function<void(const chat::ChatEvent&)>& on_event,
                           const std::atomic<bool>& interrupted) override;
  Status apply_settings(const RunSettings&) override { return Status::success(); }
  void print_info() const override;

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string model_;
};

}  // namespace hearth::cli
