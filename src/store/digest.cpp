#include "store/digest.h"

#include <openssl/evp.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace hearth::store {
namespace {

constexpr std::string_view kAlgorithm = "sha256";
constexpr size_t kHexDigits = 64;

}  // namespace

Result<std::string> parse_digest(std::string_view text) {
  const auto invalid = [&] {
    return make_error("invalid digest '", text.substr(0, 80), "': expected sha256:<64 hex digits>");
  };
  if (text.size() != kAlgorithm.size() + 1 + kHexDigits || !text.starts_with(kAlgorithm)) return invalid();
  const char separator = text[kAlgorithm.size()];
  if (separator != ':' && separator != '-') return invalid();
  std::string canonical = std::string(kAlgorithm) + ":";
  for (char c : text.substr(kAlgorithm.size() + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return invalid();
    canonical.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return canonical;
}

bool is_canonical_digest(std::string_view text) {
  const Result<std::string> parsed = parse_digest(text);
  return parsed.ok() && *parsed == text;
}

std::string digest_file_name(std::string_view digest) {
  std::string name(digest);
  if (name.size() > kAlgorithm.size()) name[kAlgorithm.size()] = '-';
  return name;
}

std::string short_digest(std::string_view digest) {
  const size_t start = digest.find(':') == std::string_view::npos ? 0 : digest.find(':') + 1;
  return std::string(digest.substr(start, 12));
}

void Sha256::Free::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  // Only allocation failure can make these fail; there is no meaningful way to go on without a hasher.
  if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not set up SHA-256");
  }
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
  if (size > 0) EVP_DigestUpdate(context_.get(), data, size);
}

std::string Sha256::finish() {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_.get(), hash, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digest = std::string(kAlgorithm) + ":";
  for (unsigned int i = 0; i < length; ++i) {
    digest.push_back(kHex[hash[i] >> 4]);
    digest.push_back(kHex[hash[i] & 0xf]);
  }
  return digest;
}

std::string sha256_of(std::string_view bytes) {
  Sha256 hasher;
  hasher.update(bytes.data(), bytes.size());
  return hasher.finish();
}

Result<std::string> sha256_of_file(const std::filesystem::path& path,
                                   const std::function<void(uint64_t done)>& on_bytes) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return make_error("cannot open ", path.string(), ": ", std::strerror(errno));
  Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  uint64_t done = 0;
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    hasher.update(buffer.data(), got);
    done += got;
    if (on_bytes) on_bytes(done);
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return make_error("cannot read ", path.string());
  return hasher.finish();
}

}  // namespace hearth::store
