#pragma once
// The CLI's side of a running `hearth serve`: found at HEARTH_HOST (default 127.0.0.1:11434) when it answers.
#include <memory>
#include <string>

#include "store/http_client.h"

namespace hearth::cli {

struct ServerAddress {
  std::string host;
  int port = 0;
};

ServerAddress server_address();
// A client for the server, or null when none answers within a short time.
std::unique_ptr<httplib::Client> connect_to_server();

}  // namespace hearth::cli
