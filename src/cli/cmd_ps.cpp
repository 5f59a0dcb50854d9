// `hearth ps`: the models a running server holds, as `ollama ps` prints them; `hearth stop NAME` unloads one.
#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/human_size.h"
#include "cli/server_client.h"
#include "cli/table.h"

namespace hearth::cli {
namespace {

using nlohmann::json;

std::string until(const std::string& expires_at) {
  std::tm parsed{};
  if (!strptime(expires_at.c_str(), "%Y-%m-%dT%H:%M:%S", &parsed)) return expires_at;
  const std::time_t when = timegm(&parsed);
  const long long seconds = static_cast<long long>(when - std::time(nullptr));
  if (seconds > 100LL * 365 * 24 * 3600) return "Forever";
  if (seconds < 60) return "Less than a minute from now";
  if (seconds < 3600) return std::to_string(seconds / 60) + " minutes from now";
  return std::to_string(seconds / 3600) + " hours from now";
}

int run_ps() {
  std::unique_ptr<httplib::Client> client = connect_to_server();
  if (!client) return fail("could not connect to a running hearth server (start one with `hearth serve`)");
  auto res = client->Get("/api/ps");
  if (!res || res->status != 200) return fail("the server did not answer /api/ps");
  const json models = json::parse(res->body, nullptr, false).value("models", json::array());
  std::vector<std::vector<std::string>> rows = {{"NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"}};
  for (const json& m : models) {
    rows.push_back({m.value("name", ""), m.value("digest", "").substr(0, 12), human_size(m.value("size", uint64_t{0})), "100% CPU",
                    std::to_string(m.value("context_length", 0)), until(m.value("expires_at", ""))});
  }
  print_table(rows);
  return 0;
}

int run_stop(const std::string& name) {
  std::unique_ptr<httplib::Client> client = connect_to_server();
  if (!client) return fail("could not connect to a running hearth server");
  auto res = client->Post("/api/generate", json{{"model", name}, {"keep_alive", 0}}.dump(), "application/json");
  if (!res) return fail("the server did not answer");
  if (res->status != 200) return fail(json::parse(res->body, nullptr, false).value("error", "cannot stop " + name));
  return 0;
}

}  // namespace

Command register_ps(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("ps", "List the models a running server has loaded");
  return {cmd, [] { return run_ps(); }};
}

Command register_stop(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("stop", "Unload a model from a running server");
  auto name = std::make_shared<std::string>();
  cmd->add_option("model", *name, "Model name")->required();
  return {cmd, [name] { return run_stop(*name); }};
}

}  // namespace hearth::cli
