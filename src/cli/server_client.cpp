#include "cli/server_client.h"

#include <cstdlib>

#include "server/http_server.h"

namespace hearth::cli {

ServerAddress server_address() {
  const char* setting = std::getenv("HEARTH_HOST");
  Result<server::ServerOptions> options = server::server_options_from_host(setting ? setting : "", {});
  if (!options) return {"127.0.0.1", 11434};
  // A server listening on every interface is reached on loopback.
  const std::string host = options->host == "0.0.0.0" || options->host == "::" ? "127.0.0.1" : options->host;
  return {host, options->port};
}

std::unique_ptr<httplib::Client> connect_to_server() {
  const ServerAddress address = server_address();
  auto client = std::make_unique<httplib::Client>(address.host, address.port);
  client->set_connection_timeout(0, 300000);
  auto probe = client->Get("/");
  if (!probe || probe->status != 200) return nullptr;
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(3600, 0);
  return client;
}

}  // namespace hearth::cli
