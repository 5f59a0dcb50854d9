// `hearth serve`: Ollama- and OpenAI-compatible HTTP APIs on 127.0.0.1:11434 (HEARTH_HOST, --host/--port).
// SIGINT / SIGTERM stop accepting connections; streams still running are cancelled as the models unload.
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "cli/command.h"
#include "cli/thread_flag.h"
#include "models/gemma4/vision_preprocess.h"
#include "server/http_server.h"

namespace hearth::cli {
namespace {

struct ServeArgs {
  std::string host;
  int port = -1;
  int64_t parallel = 0;
  int64_t context = 0;
  int threads = 0;
  int64_t image_max_tokens = models::gemma4::kDefaultImageMaxTokens;
  bool allow_remote_images = false;
  uint64_t remote_image_max_bytes = server::RemoteImageOptions{}.max_bytes;
  double remote_image_timeout = 10.0;
  int32_t reasoning_budget = -1;
  int64_t max_memory_mib = 0;
};

// Loaded models may take this much by default: most of the machine's memory, leaving room for the system.
uint64_t default_memory_budget() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) / 10 * 9;
}

int64_t env_int(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  const long long parsed = std::strtoll(value, &end, 10);
  return (end && *end == '\0' && parsed > 0) ? parsed : fallback;
}

// "1" / "true" / "yes" (any case) turn a switch on.
bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return false;
  std::string text(value);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text == "1" || text == "true" || text == "yes";
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
  options->remote_images.enabled = args.allow_remote_images || env_flag("HEARTH_ALLOW_REMOTE_IMAGES");
  options->remote_images.max_bytes = args.remote_image_max_bytes;
  options->remote_images.timeout = std::chrono::milliseconds(static_cast<int64_t>(args.remote_image_timeout * 1000.0));

  server::ManagerOptions manager_options;
  manager_options.n_parallel = args.parallel > 0 ? args.parallel : env_int("HEARTH_NUM_PARALLEL", 4);
  manager_options.default_ctx = args.context > 0 ? args.context : env_int("HEARTH_CONTEXT_LENGTH", 4096);
  manager_options.max_loaded = static_cast<size_t>(env_int("HEARTH_MAX_LOADED_MODELS", 3));
  manager_options.max_queue = static_cast<size_t>(env_int("HEARTH_MAX_QUEUE", 512));
  manager_options.keep_alive = std::chrono::seconds(env_int("HEARTH_KEEP_ALIVE_SECONDS", 300));
  manager_options.image_tokens = models::gemma4::image_token_budget(std::nullopt, args.image_max_tokens);
  manager_options.think_budget = args.reasoning_budget;
  const int64_t max_memory_mib = args.max_memory_mib > 0 ? args.max_memory_mib : env_int("HEARTH_MAX_MEMORY_MB", 0);
  manager_options.memory_budget = max_memory_mib > 0 ? static_cast<uint64_t>(max_memory_mib) << 20 : default_memory_budget();
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
  cmd->add_option("--image-max-tokens", args->image_max_tokens, "Default soft-token budget of an image (requests may set their own)")
      ->check(CLI::IsMember({70, 140, 280, 560, 1120}))
      ->capture_default_str();
  cmd->add_option("--max-memory", args->max_memory_mib,
                  "MiB the loaded models may take together, weights and caches (HEARTH_MAX_MEMORY_MB; default 90% of RAM)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--reasoning-budget", args->reasoning_budget,
                  "Default thinking tokens before the thinking channel is closed (-1: no limit; requests may set think_budget)")
      ->check(CLI::Range(-1, 1 << 30))
      ->capture_default_str();
  cmd->add_flag("--allow-remote-images", args->allow_remote_images,
                "Fetch http(s) image_url parts of OpenAI requests (HEARTH_ALLOW_REMOTE_IMAGES=1); any client can then make the server fetch any URL");
  cmd->add_option("--remote-image-max-bytes", args->remote_image_max_bytes, "Largest remote image fetched")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--remote-image-timeout", args->remote_image_timeout, "Seconds a remote image may take to arrive")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  add_thread_flag(*cmd, args->threads);
  return {cmd, [args] { return run_serve(*args); }};
}

}  // namespace hearth::cli
