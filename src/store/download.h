#pragma once
// HTTP(S) transfers for `pull`: a bounded GET for small documents (manifests) and a resumable download of a
// large file into a partial file, continued with a Range request when the partial file already holds bytes.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hearth::store {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::string origin;  // scheme://host[:port], what the HTTP client connects to
  std::string path;    // "/..." including any query
};

Result<Url> parse_url(std::string_view text);
bool is_loopback_host(std::string_view host);
// Plain http is allowed only to loopback hosts unless the user asked for it (--insecure).
Status check_transport(const Url& url, bool insecure);

struct HttpHeader {
  std::string name;
  std::string value;
};

// GETs a document of at most `limit` bytes; any status other than 200 is an error naming it.
Result<std::string> http_get_small(const Url& url, const std::vector<HttpHeader>& headers, uint64_t limit);

// Called with (bytes the file holds, total or 0 when unknown); returning false cancels the download.
using DownloadProgress = std::function<bool(uint64_t completed, uint64_t total)>;

// Downloads `url` into `partial`, resuming after the bytes it already holds. With `expected_size` the file
// may not grow beyond it. Returns the final size.
Result<uint64_t> download_resumable(const Url& url, const std::filesystem::path& partial,
                                    std::optional<uint64_t> expected_size, const DownloadProgress& progress);

}  // namespace hearth::store
