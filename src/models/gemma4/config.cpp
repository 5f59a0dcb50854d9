#include "models/gemma4/config.h"

#include <optional>
#include <string>

namespace hearth::models::gemma4 {
namespace {

constexpr std::string_view kPrefix = "gemma4.";

std::string key(std::string_view name) { return std::string(kPrefix) + std::string(name); }

Result<int64_t> read_uint(const gguf::GgufFile& file, std::string_view name) {
  Result<uint64_t> value = file.get_uint(key(name));
  if (!value) return Error{value.error()};
  return static_cast<int64_t>(*value);
}

Result<int64_t> read_uint_or(const gguf::GgufFile& file, std::string_view name, int64_t fallback) {
  if (!file.find(key(name))) return fallback;
  return read_uint(file, name);
}

Result<float> read_float_or(const gguf::GgufFile& file, std::string_view name, float fallback) {
  if (!file.find(key(name))) return fallback;
  Result<double> value = file.get_float(key(name));
  if (!value) return Error{value.error()};
  return static_cast<float>(*value);
}

// Keys written either as one value for every layer or as an array with one entry per layer.
Result<std::vector<int64_t>> read_per_layer(const gguf::GgufFile& file, std::string_view name, int64_t n_layer,
                                            std::optional<int64_t> fallback) {
  const gguf::Value* value = file.find(key(name));
  if (!value) {
    if (!fallback) return make_error("missing required key '", key(name), "'");
    return std::vector<int64_t>(n_layer, *fallback);
  }
  if (!value->as_array()) {
    Result<int64_t> scalar = read_uint(file, name);
    if (!scalar) return Error{scalar.error()};
    return std::vector<int64_t>(n_layer, *scalar);
  }
  Result<std::vector<int64_t>> values = file.get_int_array(key(name));
  if (!values) return Error{values.error()};
  if (static_cast<int64_t>(values->size()) != n_layer) {
    return make_error("key '", key(name), "': expected ", n_layer, " entries (one per layer), found ", values->size());
  }
  return values;
}

// HF / Ollama donor rule (§4.6): the last layer with its own KV and the same attention type. For the layouts
// llama.cpp accepts (layers first_shared−2, −1 = sliding, full) it picks the same layers as llama.cpp.
Status assign_kv_sources(Config& config) {
  const int64_t first_shared = config.n_layer - config.n_shared_kv_layers;
  for (int64_t il = 0; il < config.n_layer; ++il) {
    LayerConfig& layer = config.layers[il];
    layer.has_kv = il < first_shared;
    layer.kv_source = il;
    if (layer.has_kv) continue;
    layer.kv_source = -1;
    for (int64_t donor = first_shared - 1; donor >= 0; --donor) {
      if (config.layers[donor].sliding == layer.sliding) {
        layer.kv_source = donor;
        break;
      }
    }
    if (layer.kv_source < 0) {
      return make_error("layer ", il, " shares KV (", key("attention.shared_kv_layers"), " = ",
                        config.n_shared_kv_layers, ") but no earlier layer of its attention type has its own KV");
    }
    const LayerConfig& donor = config.layers[layer.kv_source];
    if (donor.head_dim != layer.head_dim || donor.n_head_kv != layer.n_head_kv) {
      return make_error("layer ", il, " reads the KV of layer ", layer.kv_source, " whose KV heads differ");
    }
  }
  return Status::success();
}

}  // namespace

Result<Config> load_config(const gguf::GgufFile& file) {
  Result<std::string> arch = file.get_string("general.architecture");
  if (!arch) return Error{arch.error()};
  if (*arch != "gemma4") return make_error("general.architecture is '", *arch, "', expected 'gemma4'");

  Config config;
  const gguf::TensorInfo* token_embd = file.find_tensor("token_embd.weight");
  if (!token_embd) return make_error("missing required tensor 'token_embd.weight'");
  config.n_vocab = token_embd->ne[1];

  Result<int64_t> n_layer = read_uint(file, "block_count");
  Result<int64_t> n_embd = read_uint(file, "embedding_length");
  Result<int64_t> n_ctx_train = read_uint(file, "context_length");
  Result<int64_t> per_layer = read_uint(file, "embedding_length_per_layer_input");
  Result<int64_t> window = read_uint(file, "attention.sliding_window");
  // Ollama-published files may omit the head sizes; its defaults are the real models' 256 / 512.
  Result<int64_t> head_dim_swa = read_uint_or(file, "attention.key_length_swa", 256);
  for (const Result<int64_t>* required : {&n_layer, &n_embd, &n_ctx_train, &per_layer, &window, &head_dim_swa}) {
    if (!*required) return Error{required->error()};
  }
  config.n_layer = *n_layer;
  config.n_embd = *n_embd;
  config.n_ctx_train = *n_ctx_train;
  config.n_embd_per_layer = *per_layer;
  config.sliding_window = *window;
  if (config.n_layer <= 0 || config.n_embd <= 0) return make_error("block_count and embedding_length must be positive");
  if (config.sliding_window <= 0) return make_error("key '", key("attention.sliding_window"), "' must be positive");

  Result<std::vector<int64_t>> n_head = read_per_layer(file, "attention.head_count", config.n_layer, std::nullopt);
  if (!n_head) return Error{n_head.error()};
  config.n_head = n_head->front();
  for (int64_t heads : *n_head) {
    if (heads != config.n_head || heads <= 0) return make_error("key '", key("attention.head_count"), "' must be one positive value for all layers");
  }
  Result<std::vector<int64_t>> n_head_kv = read_per_layer(file, "attention.head_count_kv", config.n_layer, config.n_head);
  Result<std::vector<int64_t>> n_ff = read_per_layer(file, "feed_forward_length", config.n_layer, std::nullopt);
  if (!n_head_kv) return Error{n_head_kv.error()};
  if (!n_ff) return Error{n_ff.error()};

  const gguf::Value* pattern_value = file.find(key("attention.sliding_window_pattern"));
  if (!pattern_value || !pattern_value->as_array()) {
    return make_error("key '", key("attention.sliding_window_pattern"), "' must be a per-layer bool array");
  }
  Result<std::vector<int64_t>> pattern = read_per_layer(file, "attention.sliding_window_pattern", config.n_layer, std::nullopt);
  if (!pattern) return Error{pattern.error()};

  Result<int64_t> head_dim_full = read_uint_or(file, "attention.key_length", 512);
  if (!head_dim_full) return Error{head_dim_full.error()};
  Result<int64_t> value_dim_full = read_uint_or(file, "attention.value_length", *head_dim_full);
  Result<int64_t> value_dim_swa = read_uint_or(file, "attention.value_length_swa", *head_dim_swa);
  if (!value_dim_full) return Error{value_dim_full.error()};
  if (!value_dim_swa) return Error{value_dim_swa.error()};
  if (*value_dim_full != *head_dim_full || *value_dim_swa != *head_dim_swa) {
    return make_error("value_length(_swa) must equal key_length(_swa): found ", *value_dim_full, "/", *head_dim_full,
                      " and ", *value_dim_swa, "/", *head_dim_swa);
  }
  Result<int64_t> n_rot_full = read_uint_or(file, "rope.dimension_count", *head_dim_full);
  if (!n_rot_full) return Error{n_rot_full.error()};
  Result<int64_t> n_rot_swa = read_uint_or(file, "rope.dimension_count_swa", *n_rot_full);
  // Ollama's fallbacks: the sliding base may be written as rope.local.freq_base; the full base defaults to 1e6.
  Result<float> rope_base_full = read_float_or(file, "rope.freq_base", 1.0e6f);
  Result<float> rope_base_local = read_float_or(file, "rope.local.freq_base", 10000.0f);
  if (!rope_base_local) return Error{rope_base_local.error()};
  Result<float> rope_base_swa = read_float_or(file, "rope.freq_base_swa", *rope_base_local);
  Result<float> eps = read_float_or(file, "attention.layer_norm_rms_epsilon", -1.0f);
  Result<float> softcap = read_float_or(file, "final_logit_softcapping", 0.0f);
  Result<int64_t> shared = read_uint_or(file, "attention.shared_kv_layers", 0);
  Result<int64_t> n_expert = read_uint_or(file, "expert_count", 0);
  Result<int64_t> n_expert_used = read_uint_or(file, "expert_used_count", 0);
  Result<int64_t> n_ff_expert = read_uint_or(file, "expert_feed_forward_length", 0);
  if (!n_rot_swa) return Error{n_rot_swa.error()};
  if (!rope_base_full) return Error{rope_base_full.error()};
  if (!rope_base_swa) return Error{rope_base_swa.error()};
  if (!eps) return Error{eps.error()};
  if (*eps <= 0.0f) return make_error("missing required key '", key("attention.layer_norm_rms_epsilon"), "'");
  if (!softcap) return Error{softcap.error()};
  if (!shared) return Error{shared.error()};
  if (!n_expert) return Error{n_expert.error()};
  if (!n_expert_used) return Error{n_expert_used.error()};
  if (!n_ff_expert) return Error{n_ff_expert.error()};
  config.rms_eps = *eps;
  config.final_logit_softcap = *softcap;
  config.n_shared_kv_layers = *shared;
  config.n_expert = *n_expert;
  config.n_expert_used = *n_expert_used;
  config.n_ff_expert = *n_ff_expert;
  if (config.n_shared_kv_layers >= config.n_layer) {
    return make_error("key '", key("attention.shared_kv_layers"), "' = ", config.n_shared_kv_layers,
                      " leaves no layer with its own KV (", config.n_layer, " layers)");
  }
  if (config.is_moe() && (config.n_expert_used <= 0 || config.n_expert_used > config.n_expert || config.n_ff_expert <= 0)) {
    return make_error("MoE keys: expert_used_count must be in [1, expert_count] and expert_feed_forward_length positive");
  }

  config.layers.resize(config.n_layer);
  for (int64_t il = 0; il < config.n_layer; ++il) {
    LayerConfig& layer = config.layers[il];
    layer.sliding = (*pattern)[il] != 0;
    layer.head_dim = layer.sliding ? *head_dim_swa : *head_dim_full;
    layer.n_rot = layer.sliding ? *n_rot_swa : *n_rot_full;
    layer.rope_base = layer.sliding ? *rope_base_swa : *rope_base_full;
    layer.n_head_kv = (*n_head_kv)[il];
    layer.n_ff = (*n_ff)[il];
    if (layer.n_head_kv <= 0 || config.n_head % layer.n_head_kv != 0) {
      return make_error("layer ", il, ": head_count ", config.n_head, " is not a multiple of head_count_kv ", layer.n_head_kv);
    }
    if (layer.n_rot <= 0 || layer.n_rot > layer.head_dim || layer.n_rot % 2 != 0) {
      return make_error("layer ", il, ": rope dimension ", layer.n_rot, " must be even and in [2, head dim ", layer.head_dim, "]");
    }
    if (layer.n_ff <= 0) return make_error("layer ", il, ": feed_forward_length must be positive");
    layer.moe = config.is_moe() && file.find_tensor("blk." + std::to_string(il) + ".ffn_gate_inp.weight");
  }
  Status sources = assign_kv_sources(config);
  if (!sources) return Error{sources.error()};
  return config;
}

}  // namespace hearth::models::gemma4
