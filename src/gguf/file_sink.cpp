#include "gguf/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hearth::gguf {
namespace {

constexpr size_t kBufferBytes = 4 << 20;

}  // namespace

FileSink::FileSink(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    status_ = make_error("cannot create ", path.string(), ": ", std::strerror(errno));
    return;
  }
  buffer_.reserve(kBufferBytes);
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSink::write_fully(const uint8_t* data, size_t size) {
  while (size > 0 && status_) {
    const ssize_t written = ::write(fd_, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      status_ = make_error("cannot write ", path_.string(), ": ", std::strerror(errno));
      return;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

void FileSink::flush() {
  write_fully(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void FileSink::write(std::span<const uint8_t> bytes) {
  if (!status_) return;
  position_ += bytes.size();
  if (buffer_.size() + bytes.size() <= kBufferBytes) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return;
  }
  flush();
  // Large tensors go straight to the file instead of through the buffer.
  if (bytes.size() >= kBufferBytes) {
    write_fully(bytes.data(), bytes.size());
  } else {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  }
}

void FileSink::put_string(std::string_view text) {
  put(uint64_t{text.size()});
  write({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void FileSink::pad_to(uint32_t alignment) {
  static constexpr uint8_t kZeros[256] = {};
  uint64_t padding = (alignment - position_ % alignment) % alignment;
  while (padding > 0) {
    const uint64_t chunk = std::min<uint64_t>(padding, sizeof(kZeros));
    write({kZeros, static_cast<size_t>(chunk)});
    padding -= chunk;
  }
}

Status FileSink::close() {
  if (fd_ < 0) return status_;
  flush();
  if (::close(fd_) != 0 && status_) status_ = make_error("cannot close ", path_.string(), ": ", std::strerror(errno));
  fd_ = -1;
  return status_;
}

}  // namespace hearth::gguf
