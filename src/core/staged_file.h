#pragma once
// A temporary file beside a destination ("<name>.tmp-XXXXXX"), so a writer can build and check a new file
// and replace the destination only when it is complete. Unless commit() renamed it into place, the temporary
// file is removed when the StagedFile goes away, so a failed run leaves the destination untouched.
#include <filesystem>

#include "core/result.h"

namespace hearth {

class StagedFile {
 public:
  static Result<StagedFile> create(const std::filesystem::path& destination);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  const std::filesystem::path& path() const { return temp_; }
  Status commit();  // atomically renames the temporary file over the destination

 private:
  StagedFile(std::filesystem::path temp, std::filesystem::path destination);
  std::filesystem::path temp_;
  std::filesystem::path destination_;
  bool owns_temp_ = true;
};

}  // namespace hearth
