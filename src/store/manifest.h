#pragma once
// Ollama manifests (spec/gguf.md §10.2): a Docker v2 image manifest whose layers are the model's blobs,
// told apart by media type. Parsing is strict: every digest, size and type is checked, so nothing read from
// a manifest can point outside the blob folder or claim an absurd size.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hearth::store {

namespace media_type {
inline constexpr std::string_view kManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kModel = "application/vnd.ollama.image.model";
inline constexpr std::string_view kProjector = "application/vnd.ollama.image.projector";
inline constexpr std::string_view kAdapter = "application/vnd.ollama.image.adapter";
inline constexpr std::string_view kTemplate = "application/vnd.ollama.image.template";
inline constexpr std::string_view kLegacyPrompt = "application/vnd.ollama.image.prompt";
inline constexpr std::string_view kSystem = "application/vnd.ollama.image.system";
inline constexpr std::string_view kParams = "application/vnd.ollama.image.params";
inline constexpr std::string_view kMessages = "application/vnd.ollama.image.messages";
inline constexpr std::string_view kLicense = "application/vnd.ollama.image.license";
}  // namespace media_type

// Larger manifests are refused; real ones are a few hundred bytes to a few KiB.
inline constexpr uint64_t kMaxManifestBytes = 1 << 20;

struct Layer {
  std::string media_type;
  std::string digest;  // canonical "sha256:<hex>"
  uint64_t size = 0;
  std::string from;    // the model this layer was inherited from, when Ollama recorded it
};

struct Manifest {
  std::string media_type = std::string(media_type::kManifest);
  Layer config;
  std::vector<Layer> layers;

  uint64_t total_size() const;  // config plus layers, as `ollama list` reports it
  std::vector<std::string> digests() const;  // config first, then the layers
};

Result<Manifest> parse_manifest(std::string_view json_text);
std::string serialize_manifest(const Manifest& manifest);

}  // namespace hearth::store
