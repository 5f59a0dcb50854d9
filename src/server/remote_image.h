#pragma once
// OpenAI image_url parts with an http(s) URL (spec/api.md §3.1, "off by default"): the server fetches them
// only when `hearth serve --allow-remote-images` (or HEARTH_ALLOW_REMOTE_IMAGES=1) turned that on, and
// then within a size and a time limit. Once on, any API client can make the server fetch any URL it can
// reach, loopback and the local network included: turn it on only where the clients are trusted.
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hearth::server {

struct RemoteImageOptions {
  bool enabled = false;
  uint64_t max_bytes = uint64_t{20} << 20;
  std::chrono::milliseconds timeout{10'000};  // for the whole fetch: connecting, waiting and reading
};

// The body of `url` (an http:// or https:// URL, redirects followed); errors are the 400 messages.
Result<std::vector<uint8_t>> fetch_remote_image(std::string_view url, const RemoteImageOptions& options);

}  // namespace hearth::server
