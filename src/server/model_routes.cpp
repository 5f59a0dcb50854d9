// Model and store routes (spec/api.md §2.4–2.7, §4): tags, show, ps, version, copy, delete, create, blobs,
// pull, and the liveness / health / metrics endpoints.
#include <algorithm>
#include <sstream>

#include "gguf/gguf_file.h"
#include "model/metadata_json.h"
#include "model/model_info.h"
#include "server/http_util.h"
#include "server/request_options.h"
#include "server/routes.h"
#include "store/digest.h"
#include "store/model_options.h"
#include "store/modelfile_render.h"
#include "store/pull.h"

namespace hearth::server {
namespace {

using nlohmann::json;

constexpr const char* kVersion = "0.1.0";

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

json details_json(const model::ModelInfo& info) {
  const std::string family = info.architecture;
  return {{"parent_model", ""},
          {"format", "gguf"},
          {"family", family},
          {"families", json::array({family})},
          {"parameter_size", model::format_parameter_count(info.parameter_count)},
          {"quantization_level", info.file_type}};
}

std::optional<model::ModelInfo> describe(const std::filesystem::path& path) {
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(path);
  if (!file) return std::nullopt;
  return model::describe_model(**file);
}

// A Go-style parameters block: one "name value" line per value, stop strings quoted.
std::string parameters_text(const json& parameters) {
  std::ostringstream out;
  for (const auto& [name, value] : parameters.items()) {
    if (value.is_array()) {
      for (const json& item : value) out << name << "    " << dump(item) << '\n';
    } else {
      out << name << "    " << (value.is_string() ? value.get<std::string>() : dump(value)) << '\n';
    }
  }
  return out.str();
}

void progress_stream(httplib::Response& res, bool stream, std::function<Result<std::string>(const store::ProgressCallback&)> work) {
  if (!stream) {
    Result<std::string> done = work({});
    if (!done) return ollama_error(res, 400, done.error());
    return send_json(res, 200, {{"status", "success"}});
  }
  // Progress lines are produced on the HTTP thread while the work runs; writes happen inside the callback.
  res.set_chunked_content_provider("application/x-ndjson", [work](size_t, httplib::DataSink& sink) {
    auto write = [&](const json& line) {
      const std::string text = dump(line) + "\n";
      return sink.write(text.data(), text.size());
    };
    Result<std::string> done = work([&](const store::Progress& p) {
      json line = {{"status", p.status}};
      if (!p.digest.empty()) line["digest"] = p.digest;
      if (p.total > 0) {
        line["total"] = p.total;
        line["completed"] = p.completed;
      }
      return write(line);
    });
    write(done ? json{{"status", "success"}} : json{{"error", done.error()}});
    sink.done();
    return true;
  });
}

void register_store_routes(httplib::Server& http, ServerContext& context) {
  store::ModelStore& store = context.manager.store();
  http.Get("/api/tags", [&store](const httplib::Request&, httplib::Response& res) {
    json models = json::array();
    for (const store::ListedModel& listed : store.list()) {
      json entry = {{"name", listed.name}, {"model", listed.name}, {"modified_at", rfc3339(listed.modified)},
                    {"size", listed.size}, {"digest", listed.digest.substr(listed.digest.find(':') + 1)}};
      Result<store::ResolvedModel> resolved = store.resolve_name(listed.name);
      if (resolved) {
        if (std::optional<model::ModelInfo> info = describe(resolved->model_path)) {
          entry["details"] = details_json(*info);
          entry["capabilities"] = info->capabilities;
        }
      }
      models.push_back(std::move(entry));
    }
    send_json(res, 200, {{"models", models}});
  });
  http.Post("/api/show", [&store](const httplib::Request& req, httplib::Response& res) {
    std::optional<json> body = json_body(req, res, false);
    if (!body) return;
    const std::string name = body->value("model", body->value("name", ""));
    if (name.empty()) return ollama_error(res, 400, "model is required");
    Result<store::ResolvedModel> resolved = store.resolve(name);
    if (!resolved) return ollama_error(res, 404, "model '" + name + "' not found");
    Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(resolved->model_path);
    if (!file) return ollama_error(res, 500, file.error());
    const model::ModelInfo info = model::describe_model(**file);
    json details = details_json(info);
    json out = {{"modelfile", store::render_modelfile(*resolved)},
                {"parameters", parameters_text(resolved->parameters)},
                {"template", resolved->template_text.empty() ? (*file)->get_string("tokenizer.chat_template").value_or("") : resolved->template_text},
                {"system", resolved->system},
                {"license", resolved->licenses.empty() ? info.license.value_or("") : resolved->licenses.front()},
                {"details", details},
                {"model_info", model::metadata_to_json((*file)->metadata(), body->value("verbose", false) ? model::kNoArrayLimit : model::kDefaultArrayLimit)},
                {"capabilities", info.capabilities},
                {"modified_at", rfc3339(resolved->modified)}};
    if (resolved->projector_path) {
      if (auto projector = gguf::GgufFile::open(*resolved->projector_path)) {
        out["projector_info"] = model::metadata_to_json((*projector)->metadata());
        // The projector's towers add their capabilities (vision, audio) to the model's.
        for (const std::string& capability : model::describe_model(**projector).capabilities) {
          if (capability != "completion" && std::find(out["capabilities"].begin(), out["capabilities"].end(), capability) == out["capabilities"].end()) {
            out["capabilities"].push_back(capability);
          }
        }
      }
    }
    send_json(res, 200, out);
  });
  http.Post("/api/copy", [&store](const httplib::Request& req, httplib::Response& res) {
    std::optional<json> body = json_body(req, res, false);
    if (!body) return;
    const std::string source = body->value("source", ""), destination = body->value("destination", "");
    if (source.empty() || destination.empty()) return ollama_error(res, 400, "source and destination are required");
    if (!store.has_model(source)) return ollama_error(res, 404, "model '" + source + "' not found");
    Result<std::string> copied = store.copy(source, destination);
    if (!copied) return ollama_error(res, 400, copied.error());
    res.status = 200;
  });
  http.Delete("/api/delete", [&store](const httplib::Request& req, httplib::Response& res) {
    std::optional<json> body = json_body(req, res, false);
    if (!body) return;
    const std::string name = body->value("model", body->value("name", ""));
    if (name.empty()) return ollama_error(res, 400, "model is required");
    if (!store.has_model(name)) return ollama_error(res, 404, "model '" + name + "' not found");
    if (Status removed = store.remove(name); !removed) return ollama_error(res, 400, removed.error());
    res.status = 200;
  });
  http.Get(R"(/api/blobs/(sha256[:-][0-9a-f]{64}))", [&store](const httplib::Request& req, httplib::Response& res) {
    std::string digest = req.matches[1];
    digest[6] = ':';
    res.status = store.has_blob(digest) ? 200 : 404;
  });
  http.Post(R"(/api/blobs/(sha256[:-][0-9a-f]{64}))", [&store](const httplib::Request& req, httplib::Response& res) {
    std::string digest = req.matches[1];
    digest[6] = ':';
    std::istringstream content(req.body);
    if (Status written = store.write_blob(content, digest); !written) return ollama_error(res, 400, written.error());
    res.status = 201;
  });
  http.Post("/api/create", [&store](const httplib::Request& req, httplib::Response& res) {
    std::optional<json> body = json_body(req, res, false);
    if (!body) return;
    const std::string name = body->value("model", body->value("name", ""));
    if (name.empty()) return ollama_error(res, 400, "model is required");
    if (body->contains("adapters") && !(*body)["adapters"].empty()) return ollama_error(res, 400, "adapters are not supported");
    if (body->contains("quantize")) return ollama_error(res, 400, "quantize on create is not supported; use `hearth quantize`");
    store::ModelSpec spec;
    spec.allow_local_files = false;
    if (body->contains("modelfile") && (*body)["modelfile"].is_string()) {
      Result<store::ModelSpec> parsed = store::parse_modelfile((*body)["modelfile"].get<std::string>());
      if (!parsed) return ollama_error(res, 400, parsed.error());
      spec = std::move(*parsed);
      spec.allow_local_files = false;
    }
    if (body->contains("from") && (*body)["from"].is_string()) spec.from.insert(spec.from.begin(), {(*body)["from"].get<std::string>(), 0});
    if (body->contains("files") && (*body)["files"].is_object()) {
      // The map's order means nothing: the model comes first, projectors (architecture "clip") after it.
      std::vector<store::FromLine> models, projectors;
      for (const auto& [file, digest] : (*body)["files"].items()) {
        if (!digest.is_string()) return ollama_error(res, 400, "files: each value must be a blob digest");
        Result<std::string> canonical = store::parse_digest(digest.get<std::string>());
        if (!canonical) return ollama_error(res, 400, "files: " + canonical.error());
        auto blob = gguf::GgufFile::open(store.writable().blob_path(*canonical));
        const bool projector = blob && (*blob)->get_string("general.architecture").value_or("") == "clip";
        (projector ? projectors : models).push_back({*canonical, 0});
      }
      spec.from.insert(spec.from.end(), models.begin(), models.end());
      spec.from.insert(spec.from.end(), projectors.begin(), projectors.end());
    }
    if (spec.from.empty()) return ollama_error(res, 400, "neither 'from' nor 'files' was specified");
    if (body->contains("template")) spec.template_text = body->value("template", "");
    if (body->contains("system")) spec.system = body->value("system", "");
    if (body->contains("parameters")) {
      Result<json> parameters = store::normalize_parameters((*body)["parameters"], true);
      if (!parameters) return ollama_error(res, 400, parameters.error());
      spec.parameters = std::move(*parameters);
    }
    // Values every request would refuse (an image budget outside its steps) are refused now, not at each use.
    if (Result<RequestSettings> usable = settings_from_options(spec.parameters); !usable) return ollama_error(res, 400, usable.error());
    if (body->contains("messages")) spec.messages = (*body)["messages"];
    if (body->contains("license")) {
      const json license = (*body)["license"];
      if (license.is_string()) spec.licenses.push_back(license.get<std::string>());
      if (license.is_array()) {
        for (const json& l : license) {
          if (l.is_string()) spec.licenses.push_back(l.get<std::string>());
        }
      }
    }
    progress_stream(res, body->value("stream", true), [&store, name, spec](const store::ProgressCallback& progress) {
      return store.create(name, spec, std::filesystem::path(), progress);
    });
  });
  http.Post("/api/pull", [&store](const httplib::Request& req, httplib::Response& res) {
    std::optional<json> body = json_body(req, res, false);
    if (!body) return;
    const std::string name = body->value("model", body->value("name", ""));
    if (name.empty()) return ollama_error(res, 400, "model is required");
    const bool insecure = body->value("insecure", false);
    progress_stream(res, body->value("stream", true), [&store, name, insecure](const store::ProgressCallback& progress) {
      store::PullOptions options;
      options.insecure = insecure;
      options.progress = progress;
      return store::pull(store, name, options);
    });
  });
}

// /api/embed, /api/embeddings and /v1/embeddings: only models whose file declares an embedding head (Ollama's
// `embedding` capability) can answer; the generative families hearth runs today are refused with 400, as
// Ollama refuses them. Inputs are validated first so clients get the specific error.
void register_embedding_routes(httplib::Server& http, ServerContext& context) {
  auto handle = [&context](const httplib::Request& req, httplib::Response& res, bool openai, const char* input_field) {
    std::optional<json> body = json_body(req, res, openai);
    if (!body) return;
    auto error = [&](int status, const std::string& message) {
      if (openai) return openai_error(res, status, message);
      ollama_error(res, status, message);
    };
    const std::string name = body->value("model", "");
    if (name.empty()) return error(400, "model is required");
    const json input = body->value(input_field, json());
    const bool valid = input.is_null() || input.is_string() ||
                       (input.is_array() && std::all_of(input.begin(), input.end(), [](const json& item) { return item.is_string(); }));
    if (!valid) return error(400, "invalid input type");
    Result<store::ResolvedModel> resolved = context.manager.resolve(name);
    if (!resolved) return error(404, "model '" + name + "' not found");
    std::optional<model::ModelInfo> info = describe(resolved->model_path);
    const bool embedding = info && std::find(info->capabilities.begin(), info->capabilities.end(), "embedding") != info->capabilities.end();
    if (!embedding) return error(400, "\"" + name + "\" does not support embeddings");
    error(501, "embedding models are not supported yet");
  };
  http.Post("/api/embed", [handle](const httplib::Request& req, httplib::Response& res) { handle(req, res, false, "input"); });
  http.Post("/api/embeddings", [handle](const httplib::Request& req, httplib::Response& res) { handle(req, res, false, "prompt"); });
  http.Post("/v1/embeddings", [handle](const httplib::Request& req, httplib::Response& res) { handle(req, res, true, "input"); });
}

}  // namespace

void register_model_routes(httplib::Server& http, ServerContext& context) {
  auto running_text = [](const httplib::Request&, httplib::Response& res) { res.set_content("hearth is running", "text/plain"); };
  http.Get("/", running_text);
  http.Get("/api/version", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, {{"version", kVersion}}); });
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, {{"status", "ok"}}); });
  http.Get("/api/ps", [&context](const httplib::Request&, httplib::Response& res) {
    json models = json::array();
    for (const auto& running : context.manager.running()) {
      json entry = {{"name", running->name}, {"model", running->name}, {"size", running->size_bytes},
                    {"digest", running->resolved.digest.substr(running->resolved.digest.find(':') + 1)},
                    {"details", details_json(running->info)}, {"size_vram", 0}, {"context_length", running->n_ctx}};
      entry["expires_at"] = running->expires_at ? rfc3339(*running->expires_at) : "2318-01-01T00:00:00Z";
      models.push_back(std::move(entry));
    }
    send_json(res, 200, {{"models", models}});
  });
  http.Get("/metrics", [&context](const httplib::Request&, httplib::Response& res) {
    const ServerMetrics& m = context.metrics;
    std::ostringstream out;
    auto counter = [&](const char* name, const char* help, uint64_t value) {
      out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << value << '\n';
    };
    auto gauge = [&](const char* name, const char* help, double value) {
      out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n" << name << ' ' << value << '\n';
    };
    counter("hearth_requests_total", "Generation requests received.", m.requests);
    counter("hearth_request_errors_total", "Generation requests refused before they started.", m.request_errors);
    counter("hearth_prompt_tokens_total", "Prompt tokens of finished requests.", m.prompt_tokens);
    counter("hearth_prompt_cache_tokens_total", "Prompt tokens reused from the prefix cache.", m.cached_prompt_tokens);
    counter("hearth_generated_tokens_total", "Tokens generated.", m.generated_tokens);
    size_t queued = 0, busy = 0, slots = 0;
    for (const auto& running : context.manager.running()) {
      const engine::Scheduler::Load load = running->scheduler->load();
      queued += load.queued;
      busy += load.busy_slots;
      slots += load.slots;
    }
    gauge("hearth_queue_depth", "Requests waiting for a slot.", static_cast<double>(queued));
    gauge("hearth_slots_busy", "Sequence slots generating.", static_cast<double>(busy));
    gauge("hearth_slots_total", "Sequence slots of the loaded models.", static_cast<double>(slots));
    gauge("hearth_models_loaded", "Models in memory.", static_cast<double>(context.manager.running().size()));
    counter("hearth_model_loads_total", "Model loads.", context.manager.load_count());
    gauge("hearth_model_load_seconds_total", "Seconds spent loading models.", context.manager.load_seconds_total());
    out << m.time_to_first_token.render("hearth_time_to_first_token_seconds", "Queue plus prompt time until the first token.");
    out << m.time_per_token.render("hearth_time_per_output_token_seconds", "Mean time per generated token after the first.");
    res.set_content(out.str(), "text/plain; version=0.0.4");
  });
  register_store_routes(http, context);
  register_embedding_routes(http, context);
}

}  // namespace hearth::server
