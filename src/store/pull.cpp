#include "store/pull.h"

#include <cctype>
#include <memory>
#include <system_error>

#include "gguf/gguf_file.h"
#include "store/blob_writer.h"
#include "store/digest.h"
#include "store/download.h"
#include "store/manifest.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;

bool report(const ProgressCallback& progress, Progress step) { return !progress || progress(step); }

fs::path partial_path(const StoreRoot& root, const std::string& key) {
  return root.blobs_dir() / (digest_file_name(key) + "-partial");
}

// Downloads one layer into its partial file unless the store already has it; returns whether it did.
Result<bool> download_blob(const StoreRoot& root, const Url& blob_url, const Layer& layer,
                           const ProgressCallback& progress) {
  const std::string status = "pulling " + short_digest(layer.digest);
  std::error_code error;
  if (root.has_blob(layer.digest) && fs::file_size(root.blob_path(layer.digest), error) == layer.size && !error) {
    if (!report(progress, {status, layer.digest, layer.size, layer.size})) return make_error("cancelled");
    return false;
  }
  fs::create_directories(root.blobs_dir(), error);
  if (error) return make_error("cannot create ", root.blobs_dir().string(), ": ", error.message());
  if (!report(progress, {status, layer.digest, layer.size, 0})) return make_error("cancelled");
  Result<uint64_t> downloaded = download_resumable(blob_url, partial_path(root, layer.digest), layer.size,
                                                   [&](uint64_t done, uint64_t) {
                                                     return report(progress, {status, layer.digest, layer.size, done});
                                                   });
  if (!downloaded.ok()) return make_error("layer ", layer.digest, ": ", downloaded.error());
  return true;
}

// Hashes a downloaded layer and moves it into place only when it matches; a mismatch deletes it.
Status verify_blob(const StoreRoot& root, const Layer& layer) {
  const fs::path partial = partial_path(root, layer.digest);
  Result<std::string> digest = sha256_of_file(partial);
  if (!digest.ok()) return std::move(digest).take_error();
  if (*digest != layer.digest) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    return make_error("digest mismatch for layer ", layer.digest, ": the download hashed to ", *digest,
                      " (deleted; pull again)");
  }
  return install_blob(partial, root.blobs_dir(), layer.digest);
}

Result<std::string> pull_from_registry(ModelStore& store, std::string_view name_text, const PullOptions& options) {
  Result<ModelName> name = parse_model_name(name_text);
  if (!name.ok()) return std::move(name).take_error();
  const std::string scheme = options.insecure || is_loopback_host(name->host.substr(0, name->host.rfind(':')))
                                 ? "http" : "https";
  Result<Url> registry = parse_url(scheme + "://" + name->host + "/");
  if (!registry.ok()) return std::move(registry).take_error();
  const std::string repository = "/v2/" + name->name_space + "/" + name->model;

  if (!report(options.progress, {"pulling manifest", "", 0, 0})) return make_error("cancelled");
  Url manifest_url = *registry;
  manifest_url.path = repository + "/manifests/" + name->tag;
  Result<std::string> manifest_bytes = http_get_small(
      manifest_url, {{"Accept", std::string(media_type::kManifest)}}, kMaxManifestBytes);
  if (!manifest_bytes.ok()) {
    return make_error("pulling manifest of '", name->display(), "': ", manifest_bytes.error());
  }
  Result<Manifest> manifest = parse_manifest(*manifest_bytes);
  if (!manifest.ok()) return make_error("registry manifest of '", name->display(), "': ", manifest.error());

  // Ollama fetches the layers first and the config last.
  std::vector<Layer> blobs = manifest->layers;
  blobs.push_back(manifest->config);
  std::vector<const Layer*> downloaded;
  for (const Layer& layer : blobs) {
    Url blob_url = *registry;
    blob_url.path = repository + "/blobs/" + layer.digest;
    Result<bool> fetched = download_blob(store.writable(), blob_url, layer, options.progress);
    if (!fetched.ok()) return std::move(fetched).take_error();
    if (*fetched) downloaded.push_back(&layer);
  }
  if (!report(options.progress, {"verifying sha256 digest", "", 0, 0})) return make_error("cancelled");
  for (const Layer* layer : downloaded) {
    if (Status verified = verify_blob(store.writable(), *layer); !verified) return make_error(verified.error());
  }
  if (!report(options.progress, {"writing manifest", "", 0, 0})) return make_error("cancelled");
  if (Status written = store.write_manifest(*name, *manifest_bytes); !written) return make_error(written.error());
  if (!report(options.progress, {"success", "", 0, 0})) return make_error("cancelled");
  return name->display();
}

// "https://host/dir/Gemma-3-1B.Q4_K_M.gguf?download=1" → "Gemma-3-1B.Q4_K_M"; characters a model name may
// not hold become '-'.
std::string name_from_url(const Url& url) {
  std::string file = url.path.substr(0, url.path.find('?'));
  file = file.substr(file.rfind('/') + 1);
  if (file.size() > 5 && file.substr(file.size() - 5) == ".gguf") file.resize(file.size() - 5);
  for (char& c : file) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-' && c != '.') c = '-';
  }
  while (!file.empty() && (file.front() == '.' || file.front() == '-')) file.erase(file.begin());
  if (file.size() > 80) file.resize(80);
  return file;
}

Result<std::string> pull_from_url(ModelStore& store, std::string_view text, const PullOptions& options) {
  Result<Url> url = parse_url(text);
  if (!url.ok()) return std::move(url).take_error();
  if (Status allowed = check_transport(*url, options.insecure); !allowed) return make_error(allowed.error());
  const std::string name_text = options.name.empty() ? name_from_url(*url) : options.name;
  Result<ModelName> name = parse_model_name(name_text);
  if (!name.ok()) return make_error(name.error(), " (choose a name for the model)");

  const StoreRoot& root = store.writable();
  // The partial file is named after the URL, so pulling the same URL again resumes it.
  const fs::path partial = partial_path(root, sha256_of(text));
  std::error_code error;
  fs::create_directories(root.blobs_dir(), error);
  if (error) return make_error("cannot create ", root.blobs_dir().string(), ": ", error.message());
  const std::string status = "pulling " + name_from_url(*url);
  Result<uint64_t> downloaded = download_resumable(*url, partial, std::nullopt, [&](uint64_t done, uint64_t total) {
    return report(options.progress, {status, "", total, done});
  });
  if (!downloaded.ok()) return std::move(downloaded).take_error();

  if (!report(options.progress, {"verifying sha256 digest", "", 0, 0})) return make_error("cancelled");
  Result<std::string> digest = sha256_of_file(partial);
  if (!digest.ok()) return std::move(digest).take_error();
  if (Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(partial); !opened.ok()) {
    fs::remove(partial, error);
    return make_error(text, " is not a usable GGUF file: ", opened.error());
  }
  if (Status installed = install_blob(partial, root.blobs_dir(), *digest); !installed) {
    return make_error(installed.error());
  }
  ModelSpec spec;
  spec.from.push_back({*digest, 0});
  Result<std::string> created = store.create(name->full(), spec, fs::current_path(), options.progress);
  if (!created.ok()) return make_error(text, ": ", created.error());
  return created;
}

}  // namespace

bool is_url(std::string_view text) { return text.starts_with("http://") || text.starts_with("https://"); }

Result<std::string> pull(ModelStore& store, std::string_view name_or_url, const PullOptions& options) {
  if (is_url(name_or_url)) return pull_from_url(store, name_or_url, options);
  return pull_from_registry(store, name_or_url, options);
}

}  // namespace hearth::store
