#include "server/remote_image.h"

#include <charconv>
#include <cstdio>
#include <optional>
#include <string>

#include "store/download.h"
#include "store/http_client.h"

namespace hearth::server {
namespace {

using Clock = std::chrono::steady_clock;

// The declared body size, when the response states one.
std::optional<uint64_t> content_length(const httplib::Response& response) {
  const std::string text = response.get_header_value("Content-Length");
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

}  // namespace

Result<std::vector<uint8_t>> fetch_remote_image(std::string_view text, const RemoteImageOptions& options) {
  if (!options.enabled) {
    return make_error("image_url: this server does not fetch remote URLs; send the image as a data: URL, or start the "
                      "server with --allow-remote-images (or HEARTH_ALLOW_REMOTE_IMAGES=1)");
  }
  Result<store::Url> url = store::parse_url(text);
  if (!url) return make_error("image_url: ", url.error());

  httplib::Client client(url->origin);
  const auto timeout_us = std::chrono::duration_cast<std::chrono::microseconds>(options.timeout).count();
  client.set_connection_timeout(timeout_us / 1'000'000, timeout_us % 1'000'000);
  client.set_read_timeout(timeout_us / 1'000'000, timeout_us % 1'000'000);
  client.set_write_timeout(timeout_us / 1'000'000, timeout_us % 1'000'000);
  client.set_follow_location(true);
  client.set_default_headers({{"User-Agent", "hearth/0.1"}});
  if (url->scheme == "https") client.enable_server_certificate_verification(true);

  // The read timeout bounds each wait; the deadline bounds a server that sends slowly but never stops.
  const Clock::time_point deadline = Clock::now() + options.timeout;
  std::vector<uint8_t> body;
  int status = 0;
  bool too_large = false, too_slow = false;
  httplib::Result result = client.Get(
      url->path,
      [&](const httplib::Response& response) {
        status = response.status;
        if (status != 200) return false;
        const std::optional<uint64_t> declared = content_length(response);
        too_large = declared && *declared > options.max_bytes;
        return !too_large;
      },
      [&](const char* data, size_t size) {
        too_slow = Clock::now() > deadline;
        too_large = body.size() + size > options.max_bytes;
        if (too_slow || too_large) return false;
        body.insert(body.end(), data, data + size);
        return true;
      });
  const std::string where = url->origin + url->path;
  if (too_large) return make_error("image_url: ", where, " is larger than this server's limit of ", options.max_bytes, " bytes");
  if (too_slow || (!result && Clock::now() >= deadline)) {
    return make_error("image_url: ", where, " did not arrive within this server's limit of ", seconds_text(options.timeout));
  }
  if (status != 0 && status != 200) return make_error("image_url: ", where, " answered HTTP ", status);
  if (!result) return make_error("image_url: cannot fetch ", where, ": ", httplib::to_string(result.error()));
  return body;
}

}  // namespace hearth::server
