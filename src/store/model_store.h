#pragma once
// The model store the rest of hearth uses: names like `gemma4:e2b` resolve to blobs in hearth's own store
// ($HEARTH_MODELS, default ~/.hearth/models) or, read-only, in Ollama's ($OLLAMA_MODELS, default
// ~/.ollama/models). Both use Ollama's layout; hearth writes only to its own. A path to a .gguf file resolves
// too. Methods may be called from several threads; changes to the store are serialised.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "store/manifest.h"
#include "store/modelfile.h"
#include "store/progress.h"
#include "store/store_root.h"

namespace hearth::store {

struct StoreConfig {
  std::filesystem::path hearth_root;                 // written to
  std::optional<std::filesystem::path> ollama_root;  // read only
  // HEARTH_MODELS / OLLAMA_MODELS, else ~/.hearth/models and ~/.ollama/models.
  static StoreConfig from_environment();
};

enum class ModelSource { hearth, ollama, file };

struct ResolvedModel {
  std::string name;  // "gemma4:latest" (ModelName::display), or the path for a plain GGUF file
  ModelSource source = ModelSource::file;
  std::filesystem::path model_path;
  std::optional<std::filesystem::path> projector_path;
  std::string template_text;  // Go text/template from the template layer; "" = use the GGUF's chat template
  std::string system;
  nlohmann::json parameters = nlohmann::json::object();  // typed option values (model_options.h)
  nlohmann::json messages = nlohmann::json::array();     // [{role, content}, ...]
  std::vector<std::string> licenses;
  nlohmann::json config = nlohmann::json::object();      // the manifest's config blob (model_family, ...)
  std::string digest;  // "sha256:<hex>" of the manifest file ("" for a plain file)
  uint64_t size = 0;   // bytes of all layers (the file size for a plain file)
  std::chrono::system_clock::time_point modified;
};

struct ListedModel {
  std::string name;  // ModelName::display()
  ModelSource source = ModelSource::hearth;
  std::string digest;  // "sha256:<hex>" of the manifest file
  uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
};

class ModelStore {
 public:
  explicit ModelStore(StoreConfig config);

  const StoreConfig& config() const { return config_; }

  // A model name (hearth's store first, then Ollama's) or a path to a .gguf file (a path is anything ending
  // in .gguf or starting with '/', './', '../' or '~').
  Result<ResolvedModel> resolve(std::string_view name_or_path) const;
  // Model names only, never a file path: for names that come from the network.
  Result<ResolvedModel> resolve_name(std::string_view name) const;
  bool has_model(std::string_view name) const;
  // Both stores, newest first; a name in hearth's store hides the same name in Ollama's.
  std::vector<ListedModel> list() const;

  // Deletes a model from hearth's store and every blob no other manifest there references.
  Status remove(std::string_view name);
  // Copies a model (from either store) to a new name in hearth's store; returns the new display name.
  Result<std::string> copy(std::string_view source, std::string_view destination);

  // Builds a model from a spec: FROM a GGUF path (relative ones against `base_dir`), a blob digest or a model
  // name; a later FROM naming a projector GGUF (general.architecture "clip") attaches it. Returns the display
  // name. Progress steps follow Ollama's create stream.
  Result<std::string> create(std::string_view name, const ModelSpec& spec, const std::filesystem::path& base_dir,
                             const ProgressCallback& progress = {});
  Result<std::string> create_from_modelfile(std::string_view name, std::string_view modelfile,
                                            const std::filesystem::path& base_dir,
                                            const ProgressCallback& progress = {});

  // Blobs of hearth's store (/api/blobs/:digest). write_blob verifies the digest before the blob appears.
  bool has_blob(std::string_view digest) const;
  Status write_blob(std::istream& content, std::string_view expected_digest);

  // Store internals for the pull client: the writable store and a lock for manifest changes.
  const StoreRoot& writable() const { return hearth_; }
  // Writes (or replaces) a manifest in hearth's store and deletes blobs the replaced one alone used.
  Status write_manifest(const ModelName& name, std::string_view manifest_bytes);

 private:
  struct Located {
    const StoreRoot* root;
    StoredManifest manifest;
  };
  std::optional<Located> locate(const ModelName& name) const;
  Result<ResolvedModel> resolve_file(const std::filesystem::path& path) const;
  Result<ResolvedModel> resolve_parsed(const ModelName& name) const;
  // Makes a blob of `from` available in hearth's store (hard link, else copy).
  Status adopt_blob(const StoreRoot& from, const std::string& digest, uint64_t size);
  // Requires mutex_ held: deletes the given blobs unless a manifest in hearth's store still uses them.
  void delete_unreferenced(const std::vector<std::string>& candidates);
  Status write_manifest_locked(const ModelName& name, std::string_view manifest_bytes);
  // create() steps (model_create.cpp).
  Result<Layer> import_gguf(const FromLine& from, const std::filesystem::path& base_dir, bool allow_local_files,
                            bool projector, const ProgressCallback& progress);
  Result<Layer> import_file(const std::filesystem::path& path, const ProgressCallback& progress);
  Result<Layer> text_layer(std::string_view media, std::string_view text, const ProgressCallback& progress);

  StoreConfig config_;
  StoreRoot hearth_;
  std::optional<StoreRoot> ollama_;
  std::mutex mutex_;
};

// True when the text names a file rather than a model (see ModelStore::resolve).
bool looks_like_path(std::string_view name_or_path);

}  // namespace hearth::store
