#pragma once
// Route groups of `hearth serve`; each registers its handlers on the HTTP server.
#include "server/model_manager.h"
#include "server/remote_image.h"
#include "server/server_metrics.h"
#include "store/http_client.h"

namespace hearth::server {

struct ServerContext {
  ModelManager& manager;
  ServerMetrics& metrics;
  RemoteImageOptions remote_images;
};

void register_ollama_generation_routes(httplib::Server& http, ServerContext& context);
void register_openai_routes(httplib::Server& http, ServerContext& context);
void register_model_routes(httplib::Server& http, ServerContext& context);
void register_transcription_routes(httplib::Server& http, ServerContext& context);

}  // namespace hearth::server
