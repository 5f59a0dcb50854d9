#include "cli/media_files.h"

#include <fstream>
#include <iterator>
#include <system_error>

namespace hearth::cli {

Result<engine::MediaItem> read_media_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return make_error(name, ": cannot be read (", error.message(), ")");
  if (size > kMaxMediaFileBytes) return make_error(name, ": ", size, " bytes is larger than the limit of ", kMaxMediaFileBytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(name, ": cannot be read");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(name, ": cannot be read");
  const std::optional<engine::MediaKind> kind = engine::sniff_media(bytes);
  if (!kind) return make_error(name, ": not an image (PNG, JPEG, GIF, WebP, BMP) or audio file (WAV, MP3, FLAC, OGG)");
  return engine::MediaItem{*kind, std::move(bytes)};
}

}  // namespace hearth::cli
