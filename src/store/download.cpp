#include "store/download.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>

#include "store/http_client.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;

constexpr time_t kConnectTimeoutSeconds = 30;
constexpr time_t kReadTimeoutSeconds = 120;
constexpr uint64_t kProgressStep = 1 << 20;  // report at most once per MiB

std::unique_ptr<httplib::Client> make_client(const Url& url) {
  auto client = std::make_unique<httplib::Client>(url.origin);
  client->set_follow_location(true);
  client->set_connection_timeout(kConnectTimeoutSeconds);
  client->set_read_timeout(kReadTimeoutSeconds);
  client->set_default_headers({{"User-Agent", "hearth/0.1"}});
  if (url.scheme == "https") client->enable_server_certificate_verification(true);
  return client;
}

httplib::Headers to_headers(const std::vector<HttpHeader>& headers) {
  httplib::Headers converted;
  for (const HttpHeader& header : headers) converted.emplace(header.name, header.value);
  return converted;
}

std::string describe_failure(const Url& url, const httplib::Result& result) {
  return "cannot reach " + url.origin + ": " + httplib::to_string(result.error());
}

bool parse_unsigned(const std::string& text, uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// "bytes <start>-<end>/<total>" → start and total (0 when '*').
bool parse_content_range(const std::string& header, uint64_t& start, uint64_t& total) {
  constexpr std::string_view kPrefix = "bytes ";
  if (!header.starts_with(kPrefix)) return false;
  const char* begin = header.data() + kPrefix.size();
  const char* end = header.data() + header.size();
  auto [after_start, error] = std::from_chars(begin, end, start);
  if (error != std::errc()) return false;
  const char* slash = std::find(after_start, end, '/');
  if (slash == end) return false;
  total = 0;
  if (slash + 1 < end && slash[1] != '*') {
    auto [after_total, total_error] = std::from_chars(slash + 1, end, total);
    if (total_error != std::errc() || after_total != end) return false;
  }
  return true;
}

class PartialFile {
 public:
  ~PartialFile() { close(); }
  Status open(const fs::path& path, bool append) {
    close();
    file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
    if (file_ == nullptr) return make_error("cannot write ", path.string(), ": ", std::strerror(errno));
    return Status::success();
  }
  bool write(const char* data, size_t size) { return file_ != nullptr && std::fwrite(data, 1, size, file_) == size; }
  bool close() {
    if (file_ == nullptr) return true;
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    return ok;
  }

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return make_error("invalid URL '", text, "'");
  url.scheme = text.substr(0, scheme_end);
  if (url.scheme != "http" && url.scheme != "https") return make_error("unsupported URL scheme in '", text, "'");
  const std::string_view rest = text.substr(scheme_end + 3);
  const size_t path_start = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, path_start);
  url.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (const size_t fragment = url.path.find('#'); fragment != std::string::npos) url.path.resize(fragment);
  if (url.path.empty() || url.path.front() != '/') url.path.insert(url.path.begin(), '/');
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return make_error("invalid or unsupported host in URL '", text, "'");
  }
  for (char c : authority) {
    constexpr std::string_view kHostPunctuation = ".-_:[]";
    const bool punctuation = kHostPunctuation.find(c) != std::string_view::npos;
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) != 0 || punctuation;
    if (!allowed) {
      return make_error("invalid host in URL '", text, "'");
    }
  }
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error("invalid IPv6 host in URL '", text, "'");
    url.host = authority.substr(1, close - 1);
  } else {
    url.host = authority.substr(0, authority.find(':'));
  }
  url.origin = url.scheme + "://" + std::string(authority);
  return url;
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Status check_transport(const Url& url, bool insecure) {
  if (url.scheme == "https" || insecure || is_loopback_host(url.host)) return Status::success();
  return make_error("refusing plain http to ", url.host, ": use https, or pass --insecure");
}

Result<std::string> http_get_small(const Url& url, const std::vector<HttpHeader>& headers, uint64_t limit) {
  std::unique_ptr<httplib::Client> client = make_client(url);
  std::string body;
  bool too_large = false;
  int status = 0;
  httplib::Result result = client->Get(
      url.path, to_headers(headers),
      [&](const httplib::Response& response) {
        status = response.status;
        return status == 200;
      },
      [&](const char* data, size_t size) {
        if (body.size() + size > limit) {
          too_large = true;
          return false;
        }
        body.append(data, size);
        return true;
      });
  if (too_large) return make_error(url.origin, url.path, " sent more than ", limit, " bytes");
  if (status != 0 && status != 200) return make_error(url.origin, url.path, " answered HTTP ", status);
  if (!result) return make_error(describe_failure(url, result));
  return body;
}

Result<uint64_t> download_resumable(const Url& url, const fs::path& partial, std::optional<uint64_t> expected_size,
                                    const DownloadProgress& progress) {
  std::error_code error;
  uint64_t have = fs::exists(partial, error) ? fs::file_size(partial, error) : 0;
  if (error) return make_error("cannot read ", partial.string(), ": ", error.message());
  if (expected_size && have > *expected_size) {
    fs::remove(partial, error);
    have = 0;
  }
  if (expected_size && have == *expected_size) {
    if (progress && !progress(have, *expected_size)) return make_error("cancelled");
    return have;
  }

  httplib::Headers headers;
  if (have > 0) headers.emplace("Range", "bytes=" + std::to_string(have) + "-");
  std::unique_ptr<httplib::Client> client = make_client(url);
  PartialFile file;
  uint64_t total = expected_size.value_or(0);
  uint64_t reported = have;
  std::string failure;
  bool cancelled = false;

  httplib::Result result = client->Get(
      url.path, headers,
      [&](const httplib::Response& response) {
        uint64_t range_start = 0;
        uint64_t range_total = 0;
        const std::string content_range = response.get_header_value("Content-Range");
        const bool resumed = response.status == 206 &&
                             parse_content_range(content_range, range_start, range_total) && range_start == have;
        if (response.status == 206 && !resumed) {
          failure = "the server answered the range request with an unexpected Content-Range";
          return false;
        }
        if (response.status != 200 && response.status != 206) {
          failure = url.origin + url.path + " answered HTTP " + std::to_string(response.status);
          return false;
        }
        if (!resumed) have = 0;  // the server ignored the range: start over
        if (total == 0) {
          if (resumed) total = range_total;
          else parse_unsigned(response.get_header_value("Content-Length"), total);
        }
        if (Status opened = file.open(partial, resumed); !opened) {
          failure = opened.error();
          return false;
        }
        return true;
      },
      [&](const char* data, size_t size) {
        if (expected_size && have + size > *expected_size) {
          failure = "the server sent more than the expected " + std::to_string(*expected_size) + " bytes";
          return false;
        }
        if (!file.write(data, size)) {
          failure = "cannot write " + partial.string() + ": " + std::strerror(errno);
          return false;
        }
        have += size;
        if (progress && have - reported >= kProgressStep) {
          reported = have;
          if (!progress(have, total)) {
            cancelled = true;
            return false;
          }
        }
        return true;
      });
  const bool closed = file.close();
  if (cancelled) return make_error("cancelled");
  if (!failure.empty()) return make_error(failure);
  if (!result) return make_error(describe_failure(url, result));
  if (!closed) return make_error("cannot write ", partial.string());
  if (expected_size && have != *expected_size) {
    return make_error("download of ", url.path, " ended after ", have, " of ", *expected_size,
                      " bytes; pull again to resume");
  }
  if (progress && !progress(have, total == 0 ? have : total)) return make_error("cancelled");
  return have;
}

}  // namespace hearth::store
