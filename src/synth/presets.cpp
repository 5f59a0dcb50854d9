#include "synth/presets.h"

#include <algorithm>
#include <array>

#include "synth/synth_vocab.h"

namespace hearth::synth {
namespace {

Gemma4Shape e2b() {
  Gemma4Shape s;
  s.n_vocab = 262144;
  s.n_ctx_train = 131072;
  s.n_layer = 35;
  s.n_embd = 1536;
  s.n_head = 8;
  s.n_head_kv_swa = 1;
  s.n_head_kv_full = 1;
  s.head_dim_swa = 256;
  s.head_dim_full = 512;
  s.n_ff = 6144;
  s.double_wide_mlp = true;
  s.layer_pattern = "SSSSG";
  s.sliding_window = 512;
  s.n_embd_per_layer = 256;
  s.n_kv_shared = 20;
  s.kv_tensors_on_shared_layers = true;
  return s;
}

Gemma4Shape e4b() {
  Gemma4Shape s = e2b();
  s.n_layer = 42;
  s.n_embd = 2560;
  s.n_head_kv_swa = 2;
  s.n_head_kv_full = 2;
  s.n_ff = 10240;
  s.double_wide_mlp = false;
  s.layer_pattern = "SSSSSG";
  s.n_kv_shared = 18;
  return s;
}

Gemma4Shape g31b() {
  Gemma4Shape s;
  s.n_vocab = 262144;
  s.n_ctx_train = 262144;
  s.n_layer = 60;
  s.n_embd = 5376;
  s.n_head = 32;
  s.n_head_kv_swa = 16;
  s.n_head_kv_full = 4;
  s.head_dim_swa = 256;
  s.head_dim_full = 512;
  s.n_ff = 21504;
  s.layer_pattern = "SSSSSG";
  s.sliding_window = 1024;
  s.k_eq_v_full = true;
  return s;
}

Gemma4Shape g26b_a4b() {
  Gemma4Shape s = g31b();
  s.n_layer = 30;
  s.n_embd = 2816;
  s.n_head = 16;
  s.n_head_kv_swa = 8;
  s.n_head_kv_full = 2;
  s.n_ff = 2112;
  s.n_expert = 128;
  s.n_expert_used = 8;
  s.n_ff_exp = 704;
  return s;
}

// Same hyperparameters as the gemma4-dense-tiny fixture.
Gemma4Shape tiny() {
  Gemma4Shape s;
  s.n_vocab = 1024;
  s.n_ctx_train = 131072;
  s.n_layer = 6;
  s.n_embd = 256;
  s.n_head = 4;
  s.n_head_kv_swa = 2;
  s.n_head_kv_full = 1;
  s.head_dim_swa = 64;
  s.head_dim_full = 128;
  s.n_ff = 512;
  s.double_wide_mlp = true;
  s.layer_pattern = "SSSGSG";
  s.sliding_window = 8;
  s.n_embd_per_layer = 256;
  s.n_kv_shared = 2;
  s.final_logit_softcapping = 10.0f;
  return s;
}

// Same hyperparameters as the gemma4-moe-tiny fixture.
Gemma4Shape tiny_moe() {
  Gemma4Shape s = tiny();
  s.n_ctx_train = 262144;
  s.n_layer = 4;
  s.double_wide_mlp = false;
  s.layer_pattern = "SSSG";
  s.n_embd_per_layer = 0;
  s.n_kv_shared = 0;
  s.k_eq_v_full = true;
  s.n_expert = 4;
  s.n_expert_used = 2;
  s.n_ff_exp = 256;
  s.final_logit_softcapping = 30.0f;
  return s;
}

// Every E2B feature (PLE, KV sharing, double-wide MLP, real head dims) at a few hundred MB.
Gemma4Shape mini() {
  Gemma4Shape s = e2b();
  s.n_vocab = 32768;
  s.n_layer = 10;
  s.n_embd = 1024;
  s.n_ff = 4096;
  s.n_embd_per_layer = 128;
  s.n_kv_shared = 5;
  return s;
}

// Every 26B-A4B feature (MoE beside the dense MLP, K=V, GQA that differs per layer type) at a few hundred MB.
Gemma4Shape mini_moe() {
  Gemma4Shape s = g26b_a4b();
  s.n_vocab = 32768;
  s.n_layer = 12;
  s.n_embd = 1024;
  s.n_head = 8;
  s.n_head_kv_swa = 4;
  s.n_head_kv_full = 1;
  s.n_ff = 1024;
  s.n_expert = 32;
  s.n_expert_used = 4;
  s.n_ff_exp = 256;
  return s;
}

const std::array<ShapePreset, 8>& table() {
  static const std::array<ShapePreset, 8> presets = {{
      {"e2b", "Gemma 4 E2B (PLE, 20 KV-shared layers, double-wide MLP)", e2b()},
      {"e4b", "Gemma 4 E4B (PLE, 18 KV-shared layers)", e4b()},
      {"26b-a4b", "Gemma 4 26B-A4B (128 experts, top-8, K=V on global layers)", g26b_a4b()},
      {"31b", "Gemma 4 31B dense (K=V on global layers)", g31b()},
      {"tiny", "hyperparameters of the gemma4-dense-tiny fixture", tiny()},
      {"tiny-moe", "hyperparameters of the gemma4-moe-tiny fixture", tiny_moe()},
      {"mini", "E2B features at a few hundred MB, for quick benchmarks", mini()},
      {"mini-moe", "26B-A4B features at a few hundred MB, for quick benchmarks", mini_moe()},
  }};
  return presets;
}

// First layer of the KV-shared tail closest to `wanted` (searching towards the end) that has a sliding and a
// global donor right before it; n_layer when there is none.
uint32_t shared_tail_start(const Gemma4Shape& shape, uint32_t wanted) {
  for (uint32_t start = std::max(wanted, 2u); start < shape.n_layer; ++start) {
    if (!shape.is_sliding(start - 1) && shape.is_sliding(start - 2)) return start;
  }
  return shape.n_layer;
}

Status validate(const Gemma4Shape& s) {
  if (s.n_layer == 0 || s.n_embd == 0 || s.n_head == 0 || s.n_ff == 0 || s.n_ctx_train == 0)
    return make_error("layers, embedding length, heads, FFN width and context must be positive");
  if (s.n_vocab < kMinSynthVocab) return make_error("vocab must be at least ", kMinSynthVocab, " tokens");
  if (s.n_head_kv_swa == 0 || s.n_head_kv_full == 0 || s.n_head % s.n_head_kv_swa != 0 ||
      s.n_head % s.n_head_kv_full != 0)
    return make_error("KV head counts must divide the head count ", s.n_head);
  if (s.n_kv_shared > 0 && shared_tail_start(s, s.n_layer - s.n_kv_shared) != s.n_layer - s.n_kv_shared)
    return make_error("the KV-shared tail must start right after a sliding and a global layer");
  if (s.is_moe() && (s.n_expert_used == 0 || s.n_expert_used > s.n_expert || s.n_ff_exp == 0))
    return make_error("MoE needs 0 < experts used <= experts and a positive expert FFN width");
  return Status::success();
}

}  // namespace

std::span<const ShapePreset> shape_presets() { return table(); }

const ShapePreset* find_preset(std::string_view name) {
  for (const ShapePreset& preset : table()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

Result<Gemma4Shape> customize(Gemma4Shape shape, const ShapeOverrides& overrides) {
  if (overrides.n_vocab) shape.n_vocab = *overrides.n_vocab;
  if (overrides.n_ctx_train) shape.n_ctx_train = *overrides.n_ctx_train;
  if (overrides.n_layer && *overrides.n_layer != shape.n_layer) {
    const uint64_t new_layers = *overrides.n_layer;
    const uint64_t scaled_shared = (uint64_t{shape.n_kv_shared} * new_layers + shape.n_layer / 2) / shape.n_layer;
    shape.n_layer = static_cast<uint32_t>(new_layers);
    if (scaled_shared > 0) {
      shape.n_kv_shared = shape.n_layer - shared_tail_start(shape, static_cast<uint32_t>(new_layers - scaled_shared));
    } else {
      shape.n_kv_shared = 0;
    }
  }
  if (Status status = validate(shape); !status) return Error{status.error()};
  return shape;
}

}  // namespace hearth::synth
