#pragma once
// Writes one blob into a store's blobs/ folder: bytes go to a temporary file while they are hashed, and only
// a blob whose SHA-256 matches (the expected digest, when one is given) is renamed to sha256-<hex>. A blob
// that already exists is kept and the new copy dropped, since equal names mean equal contents.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/digest.h"

namespace hearth::store {

class BlobWriter {
 public:
  // `expected_digest` must be canonical; `expected_size` (if given) bounds what write() accepts.
  static Result<BlobWriter> begin(const std::filesystem::path& blobs_dir,
                                  std::optional<std::string> expected_digest = std::nullopt,
                                  std::optional<uint64_t> expected_size = std::nullopt);
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();  // removes the temporary file unless finish() succeeded

  Status write(const void* data, size_t size);
  uint64_t written() const { return written_; }
  // Checks size and digest and moves the blob into place; returns its digest.
  Result<std::string> finish();

 private:
  BlobWriter(std::filesystem::path blobs_dir, std::filesystem::path temp, std::FILE* file,
             std::optional<std::string> expected_digest, std::optional<uint64_t> expected_size);
  void discard();

  std::filesystem::path blobs_dir_;
  std::filesystem::path temp_;
  std::FILE* file_ = nullptr;
  std::optional<std::string> expected_digest_;
  std::optional<uint64_t> expected_size_;
  std::unique_ptr<Sha256> hasher_;
  uint64_t written_ = 0;
};

// Moves a finished file into blobs/ under `digest` (already verified by the caller); an existing blob wins.
Status install_blob(const std::filesystem::path& file, const std::filesystem::path& blobs_dir,
                    const std::string& digest);

}  // namespace hearth::store
