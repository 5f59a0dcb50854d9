// `hearth serve`: Ollama- and OpenAI-compatible HTTP APIs on 127.0.0.1:11434 (HEARTH_HOST, --host/--port).
// SIGINT / SIGTERM stop accepting connections; streams still running are cancelled as the models unload.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "cli/command.h"
#include "cli/thread_flag.h"
#include "server/http_server.h"

namespace hearth::cli {
namespace {

struct ServeArgs {
  std::string host;
  int port = -1;
  int64_t parallel = 0;
  int64_t context = 0;
  int threads = 0;
};

int64_t env_int(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  const long long parsed = std::strtoll(value, &end, 10);
  return (end && *end == '\0' && parsed > 0) ? parsed : fallback;
}

int run_serve(const ServeArgs& args) {
  // Signals are waited for on their own thread, so stopping runs outside a signal handler; they are blocked
  // before any thread starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (Status threads = set_thread_count(args.threads); !threads) return fail(threads.error());
  const char* env_host = std::getenv("HEARTH_HOST");
  Result<server::ServerOptions> options = server::server_options_from_host(args.host.empty() && env_host ? env_host : args.host, {});
  if (!options) return fail(options.error());
  if (args.port >= 0) options->port = args.port;

  server::ManagerOptions manager_options;
  manager_options.n_parallel = args.parallel > 0 ? args.parallel : env_int("HEARTH_NUM_PARALLEL", 4);
  manager_options.default_ctx = args.context > 0 ? args.context : env_int("HEARTH_CONTEXT_LENGTH", 4096);
  manager_options.max_loaded = static_cast<size_t>(env_int("HEARTH_MAX_LOADED_MODELS", 3));
  manager_options.max_queue = static_cast<size_t>(env_int("HEARTH_MAX_QUEUE", 512));
  manager_options.keep_alive = std::chrono::seconds(env_int("HEARTH_KEEP_ALIVE_SECONDS", 300));
  store::ModelStore store(store::StoreConfig::from_environment());
  server::ModelManager manager(store, manager_options);
  server::HttpServer http(manager, *options);
  Result<int> port = http.bind();
  if (!port) return fail(port.error());
  std::fprintf(stderr, "hearth: listening on %s:%d (%lld parallel sequences, context %lld)\n", options->host.c_str(), *port,
               static_cast<long long>(manager_options.n_parallel), static_cast<long long>(manager_options.default_ctx));

  std::thread waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "hearth: shutting down\n");
    http.stop();
  });
  http.serve();
  if (waiter.joinable()) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  return 0;
}

}  // namespace

Command register_serve(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve the Ollama and OpenAI APIs");
  auto args = std::make_shared<ServeArgs>();
  cmd->add_option("--host", args->host, "Address to listen on, host[:port] (default HEARTH_HOST or 127.0.0.1:11434)");
  cmd->add_option("--port", args->port, "Port (0: any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--parallel", args->parallel, "Sequences per model generated at once (HEARTH_NUM_PARALLEL, default 4)")->check(CLI::Range(1, 64));
  cmd->add_option("--ctx", args->context, "Context per sequence (HEARTH_CONTEXT_LENGTH, default 4096)")->check(CLI::PositiveNumber);
  add_thread_flag(*cmd, args->threads);
  return {cmd, [args] { return run_serve(*args); }};
}

}  // namespace hearth::cli
