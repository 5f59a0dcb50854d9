#include "core/staged_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace hearth {

Result<StagedFile> StagedFile::create(const std::filesystem::path& destination) {
  const std::string pattern = destination.string() + ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return make_error("cannot create a temporary file beside ", destination.string(), ": ", std::strerror(errno));
  // mkstemp creates the file 0600; give the result the permissions a freshly created file would have.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const int chmod_errno = ::fchmod(fd, 0666 & ~mask) == 0 ? 0 : errno;
  ::close(fd);
  StagedFile staged(name.data(), destination);
  if (chmod_errno != 0) {
    return make_error("cannot set permissions of ", staged.path().string(), ": ", std::strerror(chmod_errno));
  }
  return staged;
}

StagedFile::StagedFile(std::filesystem::path temp, std::filesystem::path destination)
    : temp_(std::move(temp)), destination_(std::move(destination)) {}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : temp_(std::move(other.temp_)), destination_(std::move(other.destination_)), owns_temp_(other.owns_temp_) {
  other.owns_temp_ = false;
}

StagedFile::~StagedFile() {
  if (!owns_temp_) return;
  std::error_code ignored;
  std::filesystem::remove(temp_, ignored);
}

Status StagedFile::commit() {
  std::error_code error;
  std::filesystem::rename(temp_, destination_, error);
  if (error) return make_error("cannot rename ", temp_.string(), " to ", destination_.string(), ": ", error.message());
  owns_temp_ = false;
  return Status::success();
}

}  // namespace hearth
