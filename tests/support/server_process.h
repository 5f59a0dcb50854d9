#pragma once
// A real `hearth serve` on a free loopback port for the duration of a test, with its own empty model stores.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/http_client.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

extern char** environ;

namespace hearth::test {

inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class ServerProcess {
 public:
  // `log_path`: where the server's stderr (its JSON log) goes; empty: the test's stderr.
  explicit ServerProcess(std::vector<std::string> extra_args = {}, const std::filesystem::path& log_path = {}) : stores_("serve") {
    port_ = free_loopback_port();
    std::vector<std::string> args = {hearth_binary().string(), "serve", "--port", std::to_string(port_)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("HEARTH_MODELS=" + (stores_.path() / "hearth").string());
    env_strings.push_back("OLLAMA_MODELS=" + (stores_.path() / "ollama").string());
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (!log_path.empty()) posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start hearth serve");
    httplib::Client client = this->client();
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (auto res = client.Get("/"); res && res->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("hearth serve did not start");
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // SIGTERM and wait; returns the exit status (or 128 + signal).
  int stop() {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_status_;
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    return c;
  }
  const std::filesystem::path& stores() const { return stores_.path(); }

 private:
  TempDir stores_;
  int port_ = 0;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

}  // namespace hearth::test
