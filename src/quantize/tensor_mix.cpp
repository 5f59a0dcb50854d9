#include "quantize/tensor_mix.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <optional>
#include <string_view>

namespace hearth::quantize {
namespace {

// Roles the rules distinguish, matched on name fragments as llama.cpp does.
enum class Role { output, token_embd, attn_v_like, attn_k, attn_output, ffn_down, other };

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

Role role_of(std::string_view name) {
  if (name == "output.weight") return Role::output;
  if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") return Role::token_embd;
  // Fused QKV and MLA's kv_b carry the values, so they count as attn_v.
  if (contains(name, "attn_qkv.weight") || contains(name, "attn_kv_b.weight") || contains(name, "attn_v.weight")) {
    return Role::attn_v_like;
  }
  if (contains(name, "attn_k.weight")) return Role::attn_k;
  if (contains(name, "attn_output.weight")) return Role::attn_output;
  if (contains(name, "ffn_down")) return Role::ffn_down;
  return Role::other;
}

// ggml_n_dims: trailing dimensions of size 1 do not count, so an {n, 1} tensor is a vector.
int effective_dims(const gguf::TensorInfo& tensor) {
  for (int i = 3; i >= 1; --i) {
    if (tensor.ne[static_cast<size_t>(i)] > 1) return i + 1;
  }
  return 1;
}

// "blk.12.ffn_down.weight" -> 12; -1 for tensors outside the layer blocks.
int layer_of(std::string_view name) {
  constexpr std::string_view kPrefix = "blk.";
  if (!name.starts_with(kPrefix)) return -1;
  int layer = -1;
  const char* first = name.data() + kPrefix.size();
  const char* last = name.data() + name.size();
  const auto [end, error] = std::from_chars(first, last, layer);
  if (error != std::errc() || end == last || *end != '.') return -1;
  return layer;
}

// llama.cpp's "use more bits" layers: the first and last eighth, and every third layer in between.
bool use_more_bits(int64_t layer, int64_t n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

bool row_fits(const gguf::TensorInfo& tensor, TensorType type) {
  return tensor.ne[0] % type_info(type).block_elements == 0;
}

// llama.cpp's tensor_type_fallback for the 256-block types hearth's mixes produce; anything else (and a
// fallback that still does not fit) becomes F16. llama.cpp refuses those cases; F16 keeps the model usable.
TensorType fallback_type(TensorType type) {
  switch (type) {
    case TensorType::Q4_K: return TensorType::Q5_0;
    case TensorType::Q5_K: return TensorType::Q5_1;
    case TensorType::Q6_K: return TensorType::Q8_0;
    default: return TensorType::F16;
  }
}

class MixPlanner {
 public:
  MixPlanner(const MixModel& model, const QuantPreset& preset, std::span<const gguf::TensorInfo> tensors)
      : model_(model), preset_(preset.name), base_type_(preset.base_type) {
    for (const gguf::TensorInfo& tensor : tensors) {
      if (role_of(tensor.name) == Role::attn_v_like) ++attn_v_total_;
      if (tensor.name == "output.weight") tied_embeddings_ = false;
    }
  }

  Result<TensorType> mixed_type(const gguf::TensorInfo& tensor) {
    const Role role = role_of(tensor.name);
    const bool falcon = model_.architecture == "falcon";
    TensorType type = base_type_;
    if (role == Role::output || (tied_embeddings_ && role == Role::token_embd)) {
      if (falcon || !row_fits(tensor, type)) {
        type = TensorType::Q8_0;
      } else if (type != TensorType::Q8_0) {
        type = TensorType::Q6_K;
      }
    } else if (role == Role::attn_v_like) {
      if (is("IQ4_NL") && gqa() >= 4) {
        type = TensorType::Q5_K;
      } else if ((is("Q4_K_M") || is("Q5_K_M")) && use_more_bits(attn_v_seen_, attn_v_total_)) {
        type = TensorType::Q6_K;
      } else if (is("Q4_K_S") && attn_v_seen_ < 4) {
        type = TensorType::Q5_K;
      }
      // Llama 70B shares each attn_v across 8 heads, so it is small enough to afford more bits.
      if (is_llama_70b() && (type == TensorType::Q3_K || type == TensorType::Q4_K)) type = TensorType::Q5_K;
      if (model_.expert_count == 8) type = TensorType::Q8_0;
      ++attn_v_seen_;
    } else if (role == Role::attn_k) {
      if (model_.expert_count == 8) type = TensorType::Q8_0;
    } else if (role == Role::ffn_down) {
      Result<int64_t> layer = ffn_down_layer(tensor.name);
      if (!layer.ok()) return std::move(layer).take_error();
      const int64_t i = *layer;
      const int64_t n = model_.block_count;
      if (is("Q4_K_M")) {
        if (falcon) {
          type = i < n / 16 ? TensorType::Q6_K : use_more_bits(i, n) ? TensorType::Q5_K : TensorType::Q4_K;
        } else if (use_more_bits(i, n)) {
          type = TensorType::Q6_K;
        }
      } else if (is("IQ4_NL") && i < n / 8) {
        type = TensorType::Q5_K;
      } else if (is("Q5_K_M") && use_more_bits(i, n)) {
        type = TensorType::Q6_K;
      } else if (is("Q4_K_S") && !falcon && i < n / 8) {
        type = TensorType::Q5_K;
      }
      ++ffn_down_seen_;
    } else if (role == Role::attn_output) {
      if (!falcon && model_.expert_count == 8 && (is("IQ4_NL") || is("Q4_K_S") || is("Q4_K_M"))) {
        type = TensorType::Q5_K;
      }
    }
    return type;
  }

 private:
  bool is(std::string_view preset_name) const { return preset_ == preset_name; }

  int64_t gqa() const { return model_.head_count_kv == 0 ? 0 : model_.head_count / model_.head_count_kv; }

  bool is_llama_70b() const {
    return model_.architecture == "llama" && model_.block_count == 80 && model_.head_count != model_.head_count_kv;
  }

  // Dense models count ffn_down tensors in layer order; MoE models interleave expert tensors, so the layer
  // comes from the name.
  Result<int64_t> ffn_down_layer(const std::string& name) const {
    if (model_.expert_count <= 1) return static_cast<int64_t>(ffn_down_seen_);
    const int layer = layer_of(name);
    if (layer < 0 || layer >= model_.block_count) {
      return make_error("tensor '", name, "': cannot tell its layer (block_count ", model_.block_count, ")");
    }
    return static_cast<int64_t>(layer);
  }

  const MixModel& model_;
  std::string_view preset_;
  TensorType base_type_;
  bool tied_embeddings_ = true;
  int64_t attn_v_total_ = 0;
  int64_t attn_v_seen_ = 0;
  int64_t ffn_down_seen_ = 0;
};

int64_t int_or_first_element(const gguf::GgufFile& file, const std::string& key) {
  if (const Result<int64_t> scalar = file.get_int(key); scalar.ok()) return *scalar;
  if (const Result<std::vector<int64_t>> array = file.get_int_array(key); array.ok() && !array->empty()) {
    return array->front();
  }
  return 0;
}

}  // namespace

MixModel read_mix_model(const gguf::GgufFile& file) {
  MixModel model;
  if (const Result<std::string> arch = file.get_string("general.architecture"); arch.ok()) model.architecture = *arch;
  const std::string prefix = model.architecture + ".";
  model.block_count = int_or_first_element(file, prefix + "block_count");
  model.expert_count = int_or_first_element(file, prefix + "expert_count");
  model.head_count = int_or_first_element(file, prefix + "attention.head_count");
  model.head_count_kv = file.find(prefix + "attention.head_count_kv") != nullptr
                            ? int_or_first_element(file, prefix + "attention.head_count_kv")
                            : model.head_count;
  return model;
}

bool allows_quantization(const gguf::TensorInfo& tensor) {
  const std::string_view name = tensor.name;
  if (effective_dims(tensor) < 2 || !name.ends_with("weight")) return false;
  if (name == "position_embd.weight" || name == "token_types.weight") return false;
  constexpr std::string_view kNeverQuantized[] = {
      "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
      "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
      "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
      "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
      "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
      "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
      ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
      "a.rvq.codebook", "mm.a.code_embd",
  };
  return std::none_of(std::begin(kNeverQuantized), std::end(kNeverQuantized),
                      [&](std::string_view part) { return contains(name, part); });
}

Result<MixPlan> plan_tensor_types(const MixModel& model, const QuantPreset& preset, bool pure,
                                  std::span<const gguf::TensorInfo> tensors) {
  // llama.cpp visits tensors by layer, then by name; the attn_v and ffn_down counters depend on that order.
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int layer_a = layer_of(tensors[a].name);
    const int layer_b = layer_of(tensors[b].name);
    if (layer_a != layer_b) return layer_a < layer_b;
    return tensors[a].name < tensors[b].name;
  });

  MixPlanner planner(model, preset, tensors);
  MixPlan plan;
  plan.types.resize(tensors.size());
  for (size_t index : order) {
    const gguf::TensorInfo& tensor = tensors[index];
    if (!allows_quantization(tensor)) {
      plan.types[index] = tensor.type;
      continue;
    }
    TensorType type = preset.base_type;
    if (!pure) {
      Result<TensorType> mixed = planner.mixed_type(tensor);
      if (!mixed.ok()) return std::move(mixed).take_error();
      type = *mixed;
    }
    if (!row_fits(tensor, type)) {
      TensorType replacement = fallback_type(type);
      if (!row_fits(tensor, replacement)) replacement = TensorType::F16;
      plan.fallbacks.push_back(make_error(tensor.name, ": rows of ", tensor.ne[0], " values are not a multiple of ",
                                          type_info(type).block_elements, " (", type_info(type).name, "), using ",
                                          type_info(replacement).name)
                                   .message);
      type = replacement;
    }
    plan.types[index] = type;
  }
  return plan;
}

}  // namespace hearth::quantize
