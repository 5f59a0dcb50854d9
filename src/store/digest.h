#pragma once
// Content digests as the Ollama store names blobs: "sha256:<64 hex>" in JSON, "sha256-<64 hex>" on disk.
// Anything else is rejected before it gets near a path.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_md_ctx_st;

namespace hearth::store {

// Accepts "sha256:<hex>" or "sha256-<hex>" with 64 hex digits of either case; returns "sha256:<lowercase hex>".
Result<std::string> parse_digest(std::string_view text);
// True for the canonical form parse_digest returns.
bool is_canonical_digest(std::string_view text);
// "sha256-<hex>" for a canonical digest.
std::string digest_file_name(std::string_view digest);
// The 12 hex digits Ollama shows for a digest ("pulling 8934d96d3f08", the ID column of `list`).
std::string short_digest(std::string_view digest);

// Streaming SHA-256 (OpenSSL EVP).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  // "sha256:<hex>"; the hasher cannot be updated afterwards.
  std::string finish();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> context_;
};

std::string sha256_of(std::string_view bytes);

// Hashes a file in chunks; `on_bytes(done)` (optional) is called after each chunk.
Result<std::string> sha256_of_file(const std::filesystem::path& path,
                                   const std::function<void(uint64_t done)>& on_bytes = {});

}  // namespace hearth::store
