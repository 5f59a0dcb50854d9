#pragma once
// One store folder in Ollama's layout (spec/gguf.md §10.1): <root>/manifests/<host>/<ns>/<model>/<tag> and
// <root>/blobs/sha256-<hex>. Paths are only ever built from parsed names and canonical digests.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/manifest.h"
#include "store/model_name.h"

namespace hearth::store {

struct StoredManifest {
  ModelName name;
  std::filesystem::path path;
};

class StoreRoot {
 public:
  explicit StoreRoot(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path manifests_dir() const { return root_ / "manifests"; }
  std::filesystem::path blobs_dir() const { return root_ / "blobs"; }
  // `digest` must be canonical (parse_digest); it is the only thing that becomes part of the file name.
  std::filesystem::path blob_path(std::string_view digest) const;
  std::filesystem::path manifest_path(const ModelName& name) const;

  bool has_blob(std::string_view digest) const;
  // The manifest file for `name`: the exact path, else one whose parts match ignoring case.
  std::optional<StoredManifest> find_manifest(const ModelName& name) const;
  // Every manifest file with a valid name; other files in the tree are skipped.
  std::vector<StoredManifest> list_manifests() const;

 private:
  std::filesystem::path root_;
};

// Reads a whole file that must not exceed `limit` bytes (manifests, text layers).
Result<std::string> read_bounded_file(const std::filesystem::path& path, uint64_t limit);

// Reads and parses a manifest file; `bytes` receives its raw content (its digest names the model version).
Result<Manifest> read_manifest(const std::filesystem::path& path, std::string* bytes = nullptr);

}  // namespace hearth::store
