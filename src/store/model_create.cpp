// ModelStore::create: assembles a manifest from a ModelSpec the way Ollama's create does (server/create.go):
// GGUF files become model or projector layers, text becomes template/system/license layers, options a params
// layer, and a FROM that names a model inherits that model's layers.
#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "gguf/gguf_file.h"
#include "model/model_info.h"
#include "store/blob_writer.h"
#include "store/digest.h"
#include "store/model_options.h"
#include "store/model_store.h"

namespace hearth::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kProjectorArchitecture = "clip";

bool report(const ProgressCallback& progress, Progress step) { return !progress || progress(step); }

Error cancelled() { return make_error("cancelled"); }

fs::path expand_from_path(std::string_view text, const fs::path& base_dir) {
  if (text == "~" || text.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : "") / std::string(text.substr(std::min<size_t>(2, text.size())));
  }
  const fs::path path(text);
  return path.is_absolute() ? path : base_dir / path;
}

// What a FROM line names.
struct FromTarget {
  enum class Kind { file, blob, model } kind;
  fs::path path;       // file
  std::string digest;  // blob
  ModelName model;     // model
};

Result<FromTarget> classify_from(const FromLine& from, const fs::path& base_dir, bool allow_local_files) {
  std::string_view text = from.value;
  if (text.starts_with('@')) text.remove_prefix(1);
  if (text.starts_with("sha256:") || text.starts_with("sha256-")) {
    Result<std::string> digest = parse_digest(text);
    if (!digest.ok()) return std::move(digest).take_error();
    return FromTarget{FromTarget::Kind::blob, {}, std::move(*digest), {}};
  }
  if (!allow_local_files) {
    Result<ModelName> name = parse_model_name(from.value);
    if (!name.ok()) return std::move(name).take_error();
    return FromTarget{FromTarget::Kind::model, {}, {}, std::move(*name)};
  }
  const fs::path path = expand_from_path(from.value, base_dir);
  std::error_code error;
  if (fs::is_directory(path, error)) {
    return make_error("FROM ", from.value, " is a folder; hearth imports GGUF files only (convert safetensors first)");
  }
  if (fs::exists(path, error)) return FromTarget{FromTarget::Kind::file, path, {}, {}};
  if (looks_like_path(from.value)) return make_error("FROM file ", path.string(), " not found");
  Result<ModelName> name = parse_model_name(from.value);
  if (!name.ok()) return make_error("FROM ", from.value, " is neither a file nor a model name: ", name.error());
  return FromTarget{FromTarget::Kind::model, {}, {}, std::move(*name)};
}

Error at_line(const FromLine& from, const std::string& message) {
  if (from.line == 0) return make_error(message);
  return make_error("Modelfile line ", from.line, ": ", message);
}

json config_for(const gguf::GgufFile& model, bool has_projector, const json& inherited, const ModelSpec& spec,
                const std::vector<Layer>& layers) {
  const model::ModelInfo info = model::describe_model(model);
  json config = inherited.is_object() ? inherited : json::object();
  config["model_format"] = "gguf";
  config["model_family"] = info.architecture;
  config["model_families"] = has_projector ? json::array({info.architecture, kProjectorArchitecture})
                                           : json::array({info.architecture});
  config["model_type"] = model::format_parameter_count(info.parameter_count);
  config["file_type"] = info.file_type;
  if (info.context_length) config["context_length"] = *info.context_length;
  if (info.embedding_length) config["embedding_length"] = *info.embedding_length;
  if (spec.renderer) config["renderer"] = *spec.renderer;
  if (spec.parser) config["parser"] = *spec.parser;
  if (spec.requires_version) config["requires"] = *spec.requires_version;
  // Docker image-config fillers Ollama writes as well.
  config["architecture"] = "amd64";
  config["os"] = "linux";
  json diff_ids = json::array();
  for (const Layer& layer : layers) diff_ids.push_back(layer.digest);
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", std::move(diff_ids)}};
  return config;
}

bool is_type(const Layer& layer, std::initializer_list<std::string_view> types) {
  for (std::string_view type : types) {
    if (layer.media_type == type) return true;
  }
  return false;
}

bool has_layer(const std::vector<Layer>& layers, std::string_view type) {
  return std::any_of(layers.begin(), layers.end(), [&](const Layer& layer) { return layer.media_type == type; });
}

}  // namespace

Result<Layer> ModelStore::text_layer(std::string_view media, std::string_view text, const ProgressCallback& progress) {
  Result<BlobWriter> writer = BlobWriter::begin(hearth_.blobs_dir());
  if (!writer.ok()) return std::move(writer).take_error();
  if (Status wrote = writer->write(text.data(), text.size()); !wrote) return make_error(wrote.error());
  Result<std::string> digest = writer->finish();
  if (!digest.ok()) return std::move(digest).take_error();
  if (!report(progress, {"creating new layer " + *digest, *digest, 0, 0})) return cancelled();
  return Layer{std::string(media), std::move(*digest), text.size(), ""};
}

Result<Layer> ModelStore::import_file(const fs::path& path, const ProgressCallback& progress) {
  std::error_code error;
  const uint64_t size = fs::file_size(path, error);
  if (error) return make_error("cannot read ", path.string(), ": ", error.message());
  bool keep_going = true;
  Result<std::string> digest = sha256_of_file(path, [&](uint64_t done) {
    if (keep_going) keep_going = report(progress, {"hashing " + path.filename().string(), "", size, done});
  });
  if (!digest.ok()) return std::move(digest).take_error();
  if (!keep_going) return cancelled();
  if (hearth_.has_blob(*digest)) {
    if (!report(progress, {"using existing layer " + *digest, *digest, 0, 0})) return cancelled();
    return Layer{"", std::move(*digest), size, ""};
  }
  Result<BlobWriter> writer = BlobWriter::begin(hearth_.blobs_dir(), *digest, size);
  if (!writer.ok()) return std::move(writer).take_error();
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return make_error("cannot open ", path.string());
  std::vector<char> buffer(1 << 20);
  size_t got = 0;
  Status status;
  while (status && (got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    status = writer->write(buffer.data(), got);
    if (status && !report(progress, {"copying file", *digest, size, writer->written()})) status = cancelled();
  }
  std::fclose(file);
  if (!status) return make_error(path.string(), ": ", status.error());
  // A file that changed between hashing and copying fails here instead of producing a wrong blob.
  Result<std::string> written = writer->finish();
  if (!written.ok()) return make_error(path.string(), " changed while it was copied: ", written.error());
  if (!report(progress, {"creating new layer " + *digest, *digest, 0, 0})) return cancelled();
  return Layer{"", std::move(*digest), size, ""};
}

Result<Layer> ModelStore::import_gguf(const FromLine& from, const fs::path& base_dir, bool allow_local_files,
                                      bool projector, const ProgressCallback& progress) {
  Result<FromTarget> target = classify_from(from, base_dir, allow_local_files);
  if (!target.ok()) return at_line(from, target.error());
  fs::path path = target->path;
  if (target->kind == FromTarget::Kind::model) {
    return at_line(from, "a second FROM must name a projector GGUF file or blob, not the model '" +
                             target->model.display() + "'");
  }
  if (target->kind == FromTarget::Kind::blob) {
    if (!hearth_.has_blob(target->digest)) {
      if (!ollama_ || !ollama_->has_blob(target->digest)) return at_line(from, "blob " + target->digest + " not found");
      std::error_code error;
      const uint64_t size = fs::file_size(ollama_->blob_path(target->digest), error);
      if (Status adopted = adopt_blob(*ollama_, target->digest, size); !adopted) return at_line(from, adopted.error());
    }
    path = hearth_.blob_path(target->digest);
  }

  if (!report(progress, {"parsing GGUF", "", 0, 0})) return cancelled();
  Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(path);
  if (!opened.ok()) return at_line(from, opened.error());
  const std::string architecture = (*opened)->get_string("general.architecture").value_or("");
  opened->reset();
  const bool is_projector = architecture == kProjectorArchitecture;
  if (projector && !is_projector) {
    return at_line(from, "a second FROM must name a projector GGUF (general.architecture \"clip\"), but " +
                             path.string() + " has architecture \"" + architecture + "\"");
  }
  if (!projector && is_projector) {
    return at_line(from, path.string() +
                             " is a projector (architecture \"clip\"); FROM the model first, then the projector");
  }

  Layer layer;
  if (target->kind == FromTarget::Kind::blob) {
    std::error_code error;
    layer = Layer{"", target->digest, fs::file_size(path, error), ""};
    if (!report(progress, {"using existing layer " + layer.digest, layer.digest, 0, 0})) return cancelled();
  } else {
    Result<Layer> imported = import_file(path, progress);
    if (!imported.ok()) return std::move(imported).take_error();
    layer = std::move(*imported);
  }
  layer.media_type = projector ? media_type::kProjector : media_type::kModel;
  return layer;
}

Result<std::string> ModelStore::create_from_modelfile(std::string_view name, std::string_view modelfile,
                                                      const fs::path& base_dir, const ProgressCallback& progress) {
  Result<ModelSpec> spec = parse_modelfile(modelfile);
  if (!spec.ok()) return std::move(spec).take_error();
  return create(name, *spec, base_dir, progress);
}

Result<std::string> ModelStore::create(std::string_view name_text, const ModelSpec& spec, const fs::path& base_dir,
                                       const ProgressCallback& progress) {
  Result<ModelName> name = parse_model_name(name_text);
  if (!name.ok()) return std::move(name).take_error();
  if (spec.from.empty()) return make_error("a model needs a FROM: a GGUF file, a blob digest or a model name");
  if (!report(progress, {"gathering model components", "", 0, 0})) return cancelled();

  std::vector<Layer> layers;  // model first, then projectors, then the rest
  json parameters = json::object();
  json inherited_config = json::object();
  Result<FromTarget> first = classify_from(spec.from.front(), base_dir, spec.allow_local_files);
  if (!first.ok()) return at_line(spec.from.front(), first.error());
  if (first->kind == FromTarget::Kind::model) {
    const std::optional<Located> base = locate(first->model);
    if (!base) return at_line(spec.from.front(), "model '" + first->model.display() + "' not found");
    Result<Manifest> manifest = read_manifest(base->manifest.path);
    if (!manifest.ok()) return std::move(manifest).take_error();
    if (base->root != &hearth_) {
      std::vector<const Layer*> blobs = {&manifest->config};
      for (const Layer& layer : manifest->layers) blobs.push_back(&layer);
      for (const Layer* blob : blobs) {
        Status adopted = adopt_blob(*base->root, blob->digest, blob->size);
        if (!adopted) return make_error(adopted.error());
      }
    }
    Result<ResolvedModel> resolved = resolve_parsed(first->model);
    if (!resolved.ok()) return std::move(resolved).take_error();
    parameters = resolved->parameters;
    inherited_config = resolved->config;
    for (Layer layer : manifest->layers) {
      if (layer.from.empty()) layer.from = first->model.display();
      if (is_type(layer, {media_type::kModel})) layers.insert(layers.begin(), std::move(layer));
      else layers.push_back(std::move(layer));
    }
    if (!report(progress, {"using existing layers of " + first->model.display(), "", 0, 0})) return cancelled();
  } else {
    Result<Layer> model =
        import_gguf(spec.from.front(), base_dir, spec.allow_local_files, /*projector=*/false, progress);
    if (!model.ok()) return std::move(model).take_error();
    layers.push_back(std::move(*model));
  }

  // Later FROMs replace inherited projectors; each setting replaces the inherited layer of its kind.
  const auto drop = [&](std::initializer_list<std::string_view> types) {
    std::erase_if(layers, [&](const Layer& layer) { return is_type(layer, types); });
  };
  if (spec.from.size() > 1) drop({media_type::kProjector});
  for (size_t i = 1; i < spec.from.size(); ++i) {
    Result<Layer> projector = import_gguf(spec.from[i], base_dir, spec.allow_local_files, /*projector=*/true, progress);
    if (!projector.ok()) return std::move(projector).take_error();
    layers.push_back(std::move(*projector));
  }
  const auto add_text = [&](std::string_view media, std::string_view text) -> Status {
    Result<Layer> layer = text_layer(media, text, progress);
    if (!layer.ok()) return std::move(layer).take_error();
    layers.push_back(std::move(*layer));
    return Status::success();
  };
  Status status;
  if (spec.template_text) {
    drop({media_type::kTemplate, media_type::kLegacyPrompt});
    if (!spec.template_text->empty()) status = add_text(media_type::kTemplate, *spec.template_text);
  }
  if (status && spec.system) {
    drop({media_type::kSystem});
    if (!spec.system->empty()) status = add_text(media_type::kSystem, *spec.system);
  }
  if (status && !spec.parameters.empty()) {
    Result<json> normalized = normalize_parameters(spec.parameters, /*strict=*/true);
    if (!normalized.ok()) return std::move(normalized).take_error();
    for (const auto& [key, value] : normalized->items()) parameters[key] = value;
    drop({media_type::kParams});
    status = add_text(media_type::kParams, parameters.dump());
  }
  if (status && spec.messages) {
    drop({media_type::kMessages});
    if (!spec.messages->empty()) status = add_text(media_type::kMessages, spec.messages->dump());
  }
  for (const std::string& license : spec.licenses) {
    if (status) status = add_text(media_type::kLicense, license);
  }
  if (!status) return make_error(status.error());
  if (has_layer(layers, media_type::kAdapter)) {
    return make_error("the base model uses an adapter (LoRA), which hearth does not support");
  }

  Result<std::unique_ptr<gguf::GgufFile>> model = gguf::GgufFile::open(hearth_.blob_path(layers.front().digest));
  if (!model.ok()) return std::move(model).take_error();
  const bool has_projector = has_layer(layers, media_type::kProjector);
  const json config = config_for(**model, has_projector, inherited_config, spec, layers);
  // GGUF strings (the architecture) need not be UTF-8; replace bad bytes rather than fail.
  const std::string config_text = config.dump(-1, ' ', false, json::error_handler_t::replace);
  Result<Layer> config_layer = text_layer(media_type::kConfig, config_text, {});
  if (!config_layer.ok()) return std::move(config_layer).take_error();

  Manifest manifest;
  manifest.config = std::move(*config_layer);
  manifest.layers = std::move(layers);
  if (!report(progress, {"writing manifest", "", 0, 0})) return cancelled();
  if (Status written = write_manifest(*name, serialize_manifest(manifest)); !written) {
    return make_error(written.error());
  }
  if (!report(progress, {"success", "", 0, 0})) return cancelled();
  return name->display();
}

}  // namespace hearth::store
