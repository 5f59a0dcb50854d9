#include "store/blob_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace hearth::store {

namespace fs = std::filesystem;

Result<BlobWriter> BlobWriter::begin(const fs::path& blobs_dir, std::optional<std::string> expected_digest,
                                     std::optional<uint64_t> expected_size) {
  std::error_code error;
  fs::create_directories(blobs_dir, error);
  if (error) return make_error("cannot create ", blobs_dir.string(), ": ", error.message());
  std::string pattern = (blobs_dir / "sha256-tmp-XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return make_error("cannot create a temporary blob in ", blobs_dir.string(), ": ", std::strerror(errno));
  ::fchmod(fd, 0644);
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    ::unlink(name.data());
    return make_error("cannot open a temporary blob in ", blobs_dir.string());
  }
  return BlobWriter(blobs_dir, fs::path(name.data()), file, std::move(expected_digest), expected_size);
}

BlobWriter::BlobWriter(fs::path blobs_dir, fs::path temp, std::FILE* file, std::optional<std::string> expected_digest,
                       std::optional<uint64_t> expected_size)
    : blobs_dir_(std::move(blobs_dir)),
      temp_(std::move(temp)),
      file_(file),
      expected_digest_(std::move(expected_digest)),
      expected_size_(expected_size),
      hasher_(std::make_unique<Sha256>()) {}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : blobs_dir_(std::move(other.blobs_dir_)),
      temp_(std::move(other.temp_)),
      file_(other.file_),
      expected_digest_(std::move(other.expected_digest_)),
      expected_size_(other.expected_size_),
      hasher_(std::move(other.hasher_)),
      written_(other.written_) {
  other.file_ = nullptr;
  other.temp_.clear();
}

BlobWriter::~BlobWriter() { discard(); }

void BlobWriter::discard() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  if (!temp_.empty()) {
    std::error_code ignored;
    fs::remove(temp_, ignored);
    temp_.clear();
  }
}

Status BlobWriter::write(const void* data, size_t size) {
  if (file_ == nullptr) return make_error("blob writer is closed");
  if (expected_size_ && written_ + size > *expected_size_) {
    return make_error("received more than the expected ", *expected_size_, " bytes");
  }
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    return make_error("cannot write ", temp_.string(), ": ", std::strerror(errno));
  }
  hasher_->update(data, size);
  written_ += size;
  return Status::success();
}

Result<std::string> BlobWriter::finish() {
  if (file_ == nullptr) return make_error("blob writer is closed");
  const bool flushed = std::fflush(file_) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    discard();
    return make_error("cannot write blob to ", blobs_dir_.string(), ": ", std::strerror(errno));
  }
  if (expected_size_ && written_ != *expected_size_) {
    discard();
    return make_error("blob is ", written_, " bytes, expected ", *expected_size_);
  }
  std::string digest = hasher_->finish();
  if (expected_digest_ && digest != *expected_digest_) {
    discard();
    return make_error("digest mismatch: expected ", *expected_digest_, ", got ", digest);
  }
  Status installed = install_blob(temp_, blobs_dir_, digest);
  if (!installed) {
    discard();
    return make_error(installed.error());
  }
  temp_.clear();
  return digest;
}

Status install_blob(const fs::path& file, const fs::path& blobs_dir, const std::string& digest) {
  const fs::path destination = blobs_dir / digest_file_name(digest);
  std::error_code error;
  if (fs::is_regular_file(destination, error)) {
    fs::remove(file, error);
    return Status::success();
  }
  fs::rename(file, destination, error);
  if (error) return make_error("cannot move blob into ", destination.string(), ": ", error.message());
  return Status::success();
}

}  // namespace hearth::store
