#include "server/http_server.h"

#include <chrono>

#include "server/http_util.h"
#include "server/request_log.h"
#include "server/routes.h"

namespace hearth::server {
namespace {

// When the request being handled on this thread arrived: httplib runs the pre-routing handler, the route
// and the logger for one request on the same thread.
thread_local std::chrono::steady_clock::time_point request_started;

void log_request(const httplib::Request& req, const httplib::Response& res) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started).count();
  log_event(res.status >= 500 ? "error" : res.status >= 400 ? "warn" : "info", "http",
            {{"method", req.method}, {"path", req.path}, {"status", res.status}, {"remote", req.remote_addr},
             {"seconds", seconds}});
}

}  // namespace

struct HttpServer::Impl {
  Impl(ModelManager& manager, ServerOptions opts) : options(std::move(opts)), context{manager, metrics, options.remote_images} {}
  ServerOptions options;
  ServerMetrics metrics;
  ServerContext context;
  httplib::Server http;
};

HttpServer::HttpServer(ModelManager& manager, ServerOptions options) : impl_(std::make_unique<Impl>(manager, std::move(options))) {
  httplib::Server& http = impl_->http;
  const size_t threads = impl_->options.http_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(impl_->options.max_body_bytes);
  http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_started = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_logger(log_request);
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(error);
    } catch (const nlohmann::json::exception& e) {
      // Wrong JSON types in a request body surface here from nlohmann's checked accessors.
      res.status = 400;
      message = std::string("invalid request: ") + e.what();
    } catch (const std::exception& e) {
      res.status = 500;
      message = e.what();
    }
    if (req.path.rfind("/v1/", 0) == 0) {
      openai_error(res, res.status, message);
    } else {
      ollama_error(res, res.status, message);
    }
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string message = res.status == 404 ? "404 page not found" : "request failed";
    if (req.path.rfind("/v1/", 0) == 0) {
      openai_error(res, res.status, message);
    } else {
      ollama_error(res, res.status, message);
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  register_ollama_generation_routes(http, impl_->context);
  register_openai_routes(http, impl_->context);
  register_model_routes(http, impl_->context);
  register_transcription_routes(http, impl_->context);
}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::bind() {
  httplib::Server& http = impl_->http;
  if (impl_->options.port == 0) {
    const int port = http.bind_to_any_port(impl_->options.host);
    if (port <= 0) return make_error("cannot listen on ", impl_->options.host);
    return port;
  }
  if (!http.bind_to_port(impl_->options.host, impl_->options.port)) {
    return make_error("cannot listen on ", impl_->options.host, ":", impl_->options.port, " (in use?)");
  }
  return impl_->options.port;
}

void HttpServer::serve() { impl_->http.listen_after_bind(); }

void HttpServer::stop() {
  if (impl_->http.is_running()) impl_->http.stop();
}

Result<ServerOptions> server_options_from_host(const std::string& host_setting, ServerOptions defaults) {
  std::string text = host_setting;
  if (text.empty()) return defaults;
  if (const size_t scheme = text.find("://"); scheme != std::string::npos) text = text.substr(scheme + 3);
  while (!text.empty() && text.back() == '/') text.pop_back();
  std::string host = text, port;
  if (!text.empty() && text.front() == '[') {  // [IPv6]:port
    const size_t close = text.find(']');
    if (close == std::string::npos) return make_error("invalid host setting '", host_setting, "'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return make_error("invalid host setting '", host_setting, "'");
      port = text.substr(close + 2);
    }
  } else if (const size_t colon = text.find(':'); colon != std::string::npos && colon == text.rfind(':')) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!port.empty()) {
    try {
      size_t used = 0;
      const int value = std::stoi(port, &used);
      if (used != port.size() || value < 0 || value > 65535) throw std::out_of_range(port);
      defaults.port = value;
    } catch (const std::exception&) {
      return make_error("invalid port in host setting '", host_setting, "'");
    }
  }
  if (!host.empty()) defaults.host = host;
  return defaults;
}

}  // namespace hearth::server
