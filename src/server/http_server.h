#pragma once
// `hearth serve`: the HTTP front end over the model manager, with Ollama's and OpenAI's routes.
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "server/model_manager.h"
#include "server/remote_image.h"
#include "server/server_metrics.h"

namespace hearth::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 11434;       // 0: any free port (tests)
  size_t http_threads = 64;  // connections served at once (streams hold one each)
  size_t max_body_bytes = 256u << 20;
  RemoteImageOptions remote_images;  // OpenAI image_url parts with http(s) URLs
};

class HttpServer {
 public:
  HttpServer(ModelManager& manager, ServerOptions options);
  ~HttpServer();
  // Binds the address; the port actually bound (useful with port 0).
  Result<int> bind();
  // Serves until stop() (from another thread or a signal handler's thread).
  void serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// HEARTH_HOST as Ollama's OLLAMA_HOST: "host", "host:port", "scheme://host:port"; empty keeps the defaults.
Result<ServerOptions> server_options_from_host(const std::string& host_setting, ServerOptions defaults);

}  // namespace hearth::server
