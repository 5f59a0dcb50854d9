#include "store/store_root.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "store/digest.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// The entry of `folder` named `wanted`, ignoring case; nullopt when there is none.
std::optional<fs::path> find_entry(const fs::path& folder, const std::string& wanted) {
  std::error_code error;
  if (fs::exists(folder / wanted, error)) return folder / wanted;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (equal_ignoring_case(it->path().filename().string(), wanted)) return it->path();
  }
  return std::nullopt;
}

std::vector<fs::path> subfolders(const fs::path& folder) {
  std::vector<fs::path> found;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error)) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

fs::path StoreRoot::blob_path(std::string_view digest) const { return blobs_dir() / digest_file_name(digest); }

fs::path StoreRoot::manifest_path(const ModelName& name) const { return manifests_dir() / name.manifest_path(); }

bool StoreRoot::has_blob(std::string_view digest) const {
  std::error_code error;
  return fs::is_regular_file(blob_path(digest), error);
}

std::optional<StoredManifest> StoreRoot::find_manifest(const ModelName& name) const {
  std::error_code error;
  if (fs::is_regular_file(manifest_path(name), error)) return StoredManifest{name, manifest_path(name)};
  fs::path folder = manifests_dir();
  for (const std::string& part : {name.host, name.name_space, name.model, name.tag}) {
    std::optional<fs::path> entry = find_entry(folder, part);
    if (!entry) return std::nullopt;
    folder = *entry;
  }
  if (!fs::is_regular_file(folder, error)) return std::nullopt;
  return StoredManifest{name, folder};
}

std::vector<StoredManifest> StoreRoot::list_manifests() const {
  std::vector<StoredManifest> manifests;
  for (const fs::path& host : subfolders(manifests_dir())) {
    for (const fs::path& name_space : subfolders(host)) {
      for (const fs::path& model : subfolders(name_space)) {
        std::error_code error;
        for (fs::directory_iterator it(model, error), end; !error && it != end; it.increment(error)) {
          if (!it->is_regular_file(error)) continue;
          const std::string text = host.filename().string() + "/" + name_space.filename().string() + "/" +
                                   model.filename().string() + ":" + it->path().filename().string();
          Result<ModelName> name = parse_model_name(text);
          if (name.ok()) manifests.push_back({std::move(*name), it->path()});
        }
      }
    }
  }
  return manifests;
}

Result<std::string> read_bounded_file(const fs::path& path, uint64_t limit) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return make_error("cannot open ", path.string(), ": ", std::strerror(errno));
  std::string content;
  char buffer[65536];
  size_t got = 0;
  bool too_large = false;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    if (content.size() + got > limit) {
      too_large = true;
      break;
    }
    content.append(buffer, got);
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (too_large) return make_error(path.string(), " is larger than ", limit, " bytes");
  if (failed) return make_error("cannot read ", path.string());
  return content;
}

Result<Manifest> read_manifest(const fs::path& path, std::string* bytes) {
  Result<std::string> content = read_bounded_file(path, kMaxManifestBytes);
  if (!content.ok()) return std::move(content).take_error();
  Result<Manifest> manifest = parse_manifest(*content);
  if (!manifest.ok()) return make_error(path.string(), ": ", manifest.error());
  if (bytes != nullptr) *bytes = std::move(*content);
  return manifest;
}

}  // namespace hearth::store
