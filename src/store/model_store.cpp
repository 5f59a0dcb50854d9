#include "store/model_store.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <system_error>

#include "core/staged_file.h"
#include "store/blob_writer.h"
#include "store/digest.h"
#include "store/model_options.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kMaxTextLayerBytes = 16 << 20;
constexpr uint64_t kMaxConfigBytes = 1 << 20;

fs::path home_directory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_dir != nullptr) return entry->pw_dir;
  return fs::current_path();
}

fs::path env_or(const char* variable, const fs::path& fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? fs::path(value) : fallback;
}

std::chrono::system_clock::time_point modified_time(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  const auto since_epoch = std::chrono::seconds(info.st_mtim.tv_sec) + std::chrono::nanoseconds(info.st_mtim.tv_nsec);
  using std::chrono::system_clock;
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(since_epoch));
}

fs::path expand_home(std::string_view path) {
  if (path == "~") return home_directory();
  if (path.starts_with("~/")) return home_directory() / path.substr(2);
  return fs::path(path);
}

Status check_blob_size(const fs::path& blob, const Layer& layer) {
  std::error_code error;
  const uint64_t actual = fs::file_size(blob, error);
  if (error) return make_error("cannot read blob ", blob.string(), ": ", error.message());
  if (actual != layer.size) {
    return make_error("blob ", layer.digest, " is ", actual, " bytes but the manifest says ", layer.size,
                      " (a damaged or partial download; pull or create the model again)");
  }
  return Status::success();
}

Result<std::string> read_text_layer(const fs::path& blob, const Layer& layer) {
  if (layer.size > kMaxTextLayerBytes) return make_error("layer ", layer.digest, " is too large for a text layer");
  Result<std::string> text = read_bounded_file(blob, kMaxTextLayerBytes);
  if (!text.ok()) return text;
  if (text->size() != layer.size) {
    return make_error("blob ", layer.digest, " is ", text->size(), " bytes but the manifest says ", layer.size);
  }
  return text;
}

Result<json> read_json_layer(const fs::path& blob, const Layer& layer) {
  Result<std::string> text = read_text_layer(blob, layer);
  if (!text.ok()) return std::move(text).take_error();
  json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return make_error("layer ", layer.digest, " (", layer.media_type, ") is not valid JSON");
  return parsed;
}

Result<json> checked_messages(json messages, const std::string& digest) {
  if (!messages.is_array()) return make_error("messages layer ", digest, " is not a JSON array");
  for (const json& message : messages) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string() ||
        !message.contains("content") || !message["content"].is_string()) {
      return make_error("messages layer ", digest, " holds an entry without a string role and content");
    }
  }
  return messages;
}

}  // namespace

StoreConfig StoreConfig::from_environment() {
  const fs::path home = home_directory();
  StoreConfig config;
  config.hearth_root = env_or("HEARTH_MODELS", home / ".hearth" / "models");
  config.ollama_root = env_or("OLLAMA_MODELS", home / ".ollama" / "models");
  std::error_code error;
  if (fs::equivalent(config.hearth_root, *config.ollama_root, error)) config.ollama_root.reset();
  return config;
}

bool looks_like_path(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.ends_with(".gguf") || text.starts_with('/') || text.starts_with("./") || text.starts_with("../") ||
         text.starts_with('~');
}

ModelStore::ModelStore(StoreConfig config) : config_(std::move(config)), hearth_(config_.hearth_root) {
  if (config_.ollama_root) ollama_.emplace(*config_.ollama_root);
}

std::optional<ModelStore::Located> ModelStore::locate(const ModelName& name) const {
  if (std::optional<StoredManifest> found = hearth_.find_manifest(name)) return Located{&hearth_, std::move(*found)};
  if (ollama_) {
    if (std::optional<StoredManifest> found = ollama_->find_manifest(name)) {
      return Located{&*ollama_, std::move(*found)};
    }
  }
  return std::nullopt;
}

bool ModelStore::has_model(std::string_view name) const {
  Result<ModelName> parsed = parse_model_name(name);
  return parsed.ok() && locate(*parsed).has_value();
}

Result<ResolvedModel> ModelStore::resolve(std::string_view name_or_path) const {
  if (looks_like_path(name_or_path)) return resolve_file(expand_home(name_or_path));
  return resolve_name(name_or_path);
}

Result<ResolvedModel> ModelStore::resolve_name(std::string_view name_text) const {
  Result<ModelName> name = parse_model_name(name_text);
  if (!name.ok()) return std::move(name).take_error();
  return resolve_parsed(*name);
}

Result<ResolvedModel> ModelStore::resolve_file(const fs::path& path) const {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return make_error("model file ", path.string(), " not found");
  ResolvedModel resolved;
  resolved.name = path.string();
  resolved.source = ModelSource::file;
  resolved.model_path = path;
  resolved.size = fs::file_size(path, error);
  resolved.modified = modified_time(path);
  return resolved;
}

Result<ResolvedModel> ModelStore::resolve_parsed(const ModelName& name) const {
  const std::optional<Located> located = locate(name);
  if (!located) return make_error("model '", name.display(), "' not found");
  const StoreRoot& root = *located->root;
  std::string manifest_bytes;
  Result<Manifest> manifest = read_manifest(located->manifest.path, &manifest_bytes);
  if (!manifest.ok()) return std::move(manifest).take_error();

  ResolvedModel resolved;
  resolved.name = name.display();
  resolved.source = located->root == &hearth_ ? ModelSource::hearth : ModelSource::ollama;
  resolved.digest = sha256_of(manifest_bytes);
  resolved.size = manifest->total_size();
  resolved.modified = modified_time(located->manifest.path);
  const auto fail = [&](const std::string& why) { return make_error("model '", name.display(), "': ", why); };

  for (const Layer& layer : manifest->layers) {
    const fs::path blob = root.blob_path(layer.digest);
    std::error_code error;
    if (!fs::is_regular_file(blob, error)) {
      return fail("blob " + layer.digest + " is missing from " + root.blobs_dir().string());
    }
    const std::string_view type = layer.media_type;
    if (type == media_type::kModel || type == media_type::kProjector) {
      if (Status size_ok = check_blob_size(blob, layer); !size_ok) return fail(size_ok.error());
      if (type == media_type::kModel) {
        resolved.model_path = blob;
      } else if (!resolved.projector_path) {
        resolved.projector_path = blob;
      }
    } else if (type == media_type::kAdapter) {
      return fail("it uses an adapter (LoRA), which hearth does not support");
    } else if (type == media_type::kTemplate || type == media_type::kLegacyPrompt || type == media_type::kSystem ||
               type == media_type::kLicense) {
      Result<std::string> text = read_text_layer(blob, layer);
      if (!text.ok()) return fail(text.error());
      if (type == media_type::kSystem) resolved.system = std::move(*text);
      else if (type == media_type::kLicense) resolved.licenses.push_back(std::move(*text));
      else resolved.template_text = std::move(*text);
    } else if (type == media_type::kParams) {
      Result<json> params = read_json_layer(blob, layer);
      if (!params.ok()) return fail(params.error());
      // Older manifests may hold options that have since been removed: keep what is known, drop the rest.
      Result<json> normalized = normalize_parameters(*params, /*strict=*/false);
      if (!normalized.ok()) return fail(normalized.error());
      resolved.parameters = std::move(*normalized);
    } else if (type == media_type::kMessages) {
      Result<json> messages = read_json_layer(blob, layer);
      if (messages.ok()) messages = checked_messages(std::move(*messages), layer.digest);
      if (!messages.ok()) return fail(messages.error());
      resolved.messages = std::move(*messages);
    }
  }
  if (resolved.model_path.empty()) return fail("its manifest has no model layer");

  const fs::path config_blob = root.blob_path(manifest->config.digest);
  if (Result<std::string> text = read_bounded_file(config_blob, kMaxConfigBytes); text.ok()) {
    json config = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (config.is_object()) resolved.config = std::move(config);
  }
  return resolved;
}

std::vector<ListedModel> ModelStore::list() const {
  std::vector<ListedModel> models;
  std::vector<ModelName> seen;
  for (const StoreRoot* root : {&hearth_, ollama_ ? &*ollama_ : nullptr}) {
    if (root == nullptr) continue;
    for (const StoredManifest& stored : root->list_manifests()) {
      if (std::any_of(seen.begin(), seen.end(), [&](const ModelName& other) { return other.same_as(stored.name); })) {
        continue;
      }
      std::string bytes;
      Result<Manifest> manifest = read_manifest(stored.path, &bytes);
      if (!manifest.ok()) continue;  // a broken manifest is reported when the model is used, not listed
      seen.push_back(stored.name);
      models.push_back({stored.name.display(), root == &hearth_ ? ModelSource::hearth : ModelSource::ollama,
                        sha256_of(bytes), manifest->total_size(), modified_time(stored.path)});
    }
  }
  std::stable_sort(models.begin(), models.end(),
                   [](const ListedModel& a, const ListedModel& b) { return a.modified > b.modified; });
  return models;
}

Status ModelStore::remove(std::string_view name_text) {
  Result<ModelName> name = parse_model_name(name_text);
  if (!name.ok()) return std::move(name).take_error();
  std::lock_guard lock(mutex_);
  const std::optional<StoredManifest> stored = hearth_.find_manifest(*name);
  if (!stored) {
    if (ollama_ && ollama_->find_manifest(*name)) {
      return make_error("model '", name->display(), "' is in Ollama's store (", ollama_->root().string(),
                        "); hearth does not change it, use `ollama rm`");
    }
    return make_error("model '", name->display(), "' not found");
  }
  Result<Manifest> manifest = read_manifest(stored->path);
  std::error_code error;
  fs::remove(stored->path, error);
  if (error) return make_error("cannot delete ", stored->path.string(), ": ", error.message());
  // Empty model/namespace/host folders would otherwise pile up.
  for (fs::path folder = stored->path.parent_path(); folder != hearth_.manifests_dir(); folder = folder.parent_path()) {
    if (!fs::is_empty(folder, error) || error || !fs::remove(folder, error)) break;
  }
  if (manifest.ok()) delete_unreferenced(manifest->digests());
  return Status::success();
}

void ModelStore::delete_unreferenced(const std::vector<std::string>& candidates) {
  std::set<std::string> referenced;
  for (const StoredManifest& stored : hearth_.list_manifests()) {
    Result<Manifest> manifest = read_manifest(stored.path);
    // A manifest that cannot be read might still use any blob: keep them all.
    if (!manifest.ok()) return;
    for (std::string& digest : manifest->digests()) referenced.insert(std::move(digest));
  }
  for (const std::string& digest : candidates) {
    if (referenced.count(digest) > 0) continue;
    std::error_code ignored;
    fs::remove(hearth_.blob_path(digest), ignored);
  }
}

Result<std::string> ModelStore::copy(std::string_view source_text, std::string_view destination_text) {
  Result<ModelName> source = parse_model_name(source_text);
  if (!source.ok()) return std::move(source).take_error();
  Result<ModelName> destination = parse_model_name(destination_text);
  if (!destination.ok()) return std::move(destination).take_error();
  const std::optional<Located> located = locate(*source);
  if (!located) return make_error("model '", source->display(), "' not found");
  std::string bytes;
  Result<Manifest> manifest = read_manifest(located->manifest.path, &bytes);
  if (!manifest.ok()) return std::move(manifest).take_error();

  std::lock_guard lock(mutex_);
  if (located->root != &hearth_) {
    if (Status adopted = adopt_blob(*located->root, manifest->config.digest, manifest->config.size); !adopted) {
      return make_error(adopted.error());
    }
    for (const Layer& layer : manifest->layers) {
      if (Status adopted = adopt_blob(*located->root, layer.digest, layer.size); !adopted) {
        return make_error(adopted.error());
      }
    }
  }
  if (Status written = write_manifest_locked(*destination, bytes); !written) return make_error(written.error());
  return destination->display();
}

Status ModelStore::adopt_blob(const StoreRoot& from, const std::string& digest, uint64_t size) {
  if (hearth_.has_blob(digest)) return Status::success();
  const fs::path source = from.blob_path(digest);
  std::error_code error;
  if (!fs::is_regular_file(source, error)) {
    return make_error("blob ", digest, " is missing from ", from.blobs_dir().string());
  }
  fs::create_directories(hearth_.blobs_dir(), error);
  // Blobs never change once written, so sharing the file through a hard link is safe and costs nothing.
  fs::create_hard_link(source, hearth_.blob_path(digest), error);
  if (!error) return Status::success();

  std::ifstream in(source, std::ios::binary);
  Result<BlobWriter> writer = BlobWriter::begin(hearth_.blobs_dir(), digest, size);
  if (!writer.ok()) return std::move(writer).take_error();
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (Status wrote = writer->write(buffer.data(), static_cast<size_t>(in.gcount())); !wrote) return wrote;
  }
  if (in.bad()) return make_error("cannot read ", source.string());
  Result<std::string> finished = writer->finish();
  if (!finished.ok()) return make_error("blob ", source.string(), ": ", finished.error());
  return Status::success();
}

bool ModelStore::has_blob(std::string_view digest) const {
  Result<std::string> canonical = parse_digest(digest);
  return canonical.ok() && hearth_.has_blob(*canonical);
}

Status ModelStore::write_blob(std::istream& content, std::string_view expected_digest) {
  Result<std::string> canonical = parse_digest(expected_digest);
  if (!canonical.ok()) return std::move(canonical).take_error();
  Result<BlobWriter> writer = BlobWriter::begin(hearth_.blobs_dir(), *canonical);
  if (!writer.ok()) return std::move(writer).take_error();
  std::vector<char> buffer(1 << 20);
  while (content) {
    content.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (Status wrote = writer->write(buffer.data(), static_cast<size_t>(content.gcount())); !wrote) return wrote;
  }
  if (content.bad()) return make_error("cannot read the blob's content");
  Result<std::string> finished = writer->finish();
  if (!finished.ok()) return std::move(finished).take_error();
  return Status::success();
}

Status ModelStore::write_manifest(const ModelName& name, std::string_view manifest_bytes) {
  std::lock_guard lock(mutex_);
  return write_manifest_locked(name, manifest_bytes);
}

Status ModelStore::write_manifest_locked(const ModelName& name, std::string_view manifest_bytes) {
  Result<Manifest> manifest = parse_manifest(manifest_bytes);
  if (!manifest.ok()) return std::move(manifest).take_error();
  for (const std::string& digest : manifest->digests()) {
    if (!hearth_.has_blob(digest)) return make_error("blob ", digest, " is missing from hearth's store");
  }
  // An existing manifest under another spelling of the name is replaced, not kept beside the new one.
  const std::optional<StoredManifest> previous = hearth_.find_manifest(name);
  std::vector<std::string> previous_blobs;
  if (previous) {
    if (Result<Manifest> old = read_manifest(previous->path); old.ok()) previous_blobs = old->digests();
  }
  const fs::path path = hearth_.manifest_path(name);
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) return make_error("cannot create ", path.parent_path().string(), ": ", error.message());
  Result<StagedFile> staged = StagedFile::create(path);
  if (!staged.ok()) return std::move(staged).take_error();
  {
    std::ofstream out(staged->path(), std::ios::binary | std::ios::trunc);
    out.write(manifest_bytes.data(), static_cast<std::streamsize>(manifest_bytes.size()));
    if (!out.flush()) return make_error("cannot write ", staged->path().string());
  }
  if (Status committed = staged->commit(); !committed) return committed;
  if (previous && previous->path != path) fs::remove(previous->path, error);
  delete_unreferenced(previous_blobs);
  return Status::success();
}

}  // namespace hearth::store
