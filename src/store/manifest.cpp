#include "store/manifest.h"

#include <nlohmann/json.hpp>

#include "store/digest.h"

namespace hearth::store {
namespace {

using nlohmann::json;

constexpr size_t kMaxLayers = 4096;
constexpr size_t kMaxMediaTypeLength = 256;
constexpr size_t kMaxFromLength = 1024;
// 1 PiB: far above any model, low enough that sums of sizes cannot overflow.
constexpr uint64_t kMaxLayerSize = 1ull << 50;

Result<Layer> parse_layer(const json& node, const std::string& where) {
  if (!node.is_object()) return make_error(where, " is not an object");
  const auto media = node.find("mediaType");
  if (media == node.end() || !media->is_string()) return make_error(where, ": mediaType is missing or not a string");
  const std::string& media_text = media->get_ref<const std::string&>();
  if (media_text.empty() || media_text.size() > kMaxMediaTypeLength) {
    return make_error(where, ": mediaType is empty or too long");
  }
  const auto digest = node.find("digest");
  if (digest == node.end() || !digest->is_string()) return make_error(where, ": digest is missing or not a string");
  Result<std::string> canonical = parse_digest(digest->get_ref<const std::string&>());
  if (!canonical.ok()) return make_error(where, ": ", canonical.error());
  const auto size = node.find("size");
  if (size == node.end() || !size->is_number_integer()) return make_error(where, ": size is missing or not an integer");
  if (!size->is_number_unsigned() && size->get<int64_t>() < 0) {
    return make_error(where, ": size is negative");
  }
  const uint64_t bytes = size->get<uint64_t>();
  if (bytes > kMaxLayerSize) return make_error(where, ": size ", bytes, " is implausibly large");

  Layer layer{media_text, std::move(*canonical), bytes, ""};
  if (const auto from = node.find("from"); from != node.end() && !from->is_null()) {
    if (!from->is_string() || from->get_ref<const std::string&>().size() > kMaxFromLength) {
      return make_error(where, ": from is not a string of at most ", kMaxFromLength, " bytes");
    }
    layer.from = from->get<std::string>();
  }
  return layer;
}

json layer_json(const Layer& layer) {
  json node = {{"mediaType", layer.media_type}, {"digest", layer.digest}, {"size", layer.size}};
  if (!layer.from.empty()) node["from"] = layer.from;
  return node;
}

}  // namespace

uint64_t Manifest::total_size() const {
  uint64_t total = config.size;
  for (const Layer& layer : layers) total += layer.size;
  return total;
}

std::vector<std::string> Manifest::digests() const {
  std::vector<std::string> all = {config.digest};
  for (const Layer& layer : layers) all.push_back(layer.digest);
  return all;
}

Result<Manifest> parse_manifest(std::string_view json_text) {
  if (json_text.size() > kMaxManifestBytes) return make_error("manifest is larger than ", kMaxManifestBytes, " bytes");
  const json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return make_error("manifest is not valid JSON");
  if (!root.is_object()) return make_error("manifest is not a JSON object");

  const auto schema = root.find("schemaVersion");
  if (schema == root.end() || !schema->is_number_integer() || schema->get<int64_t>() != 2) {
    return make_error("manifest schemaVersion is not 2");
  }
  Manifest manifest;
  if (const auto media = root.find("mediaType"); media != root.end()) {
    if (!media->is_string()) return make_error("manifest mediaType is not a string");
    manifest.media_type = media->get<std::string>();
  }
  const auto config = root.find("config");
  if (config == root.end()) return make_error("manifest has no config");
  Result<Layer> config_layer = parse_layer(*config, "manifest config");
  if (!config_layer.ok()) return std::move(config_layer).take_error();
  manifest.config = std::move(*config_layer);

  const auto layers = root.find("layers");
  if (layers == root.end() || !layers->is_array()) return make_error("manifest layers are missing or not an array");
  if (layers->size() > kMaxLayers) return make_error("manifest has more than ", kMaxLayers, " layers");
  for (size_t i = 0; i < layers->size(); ++i) {
    Result<Layer> layer = parse_layer((*layers)[i], "manifest layer " + std::to_string(i));
    if (!layer.ok()) return std::move(layer).take_error();
    manifest.layers.push_back(std::move(*layer));
  }
  return manifest;
}

std::string serialize_manifest(const Manifest& manifest) {
  json layers = json::array();
  for (const Layer& layer : manifest.layers) layers.push_back(layer_json(layer));
  const json root = {{"schemaVersion", 2},
                     {"mediaType", manifest.media_type},
                     {"config", layer_json(manifest.config)},
                     {"layers", std::move(layers)}};
  return root.dump();
}

}  // namespace hearth::store
