#pragma once
// The hyperparameters of one Gemma 4 text model (spec/gemma4.md §1.1, §2.1), as `hearth synth` needs them to
// lay out a GGUF file the way llama.cpp's converter does, and the per-layer rules derived from them.
#include <cstdint>
#include <string>

namespace hearth::synth {

struct Gemma4Shape {
  uint32_t n_vocab = 0;
  uint32_t n_ctx_train = 0;
  uint32_t n_layer = 0;
  uint32_t n_embd = 0;  // d
  uint32_t n_head = 0;
  uint32_t n_head_kv_swa = 0;
  uint32_t n_head_kv_full = 0;
  uint32_t head_dim_swa = 0;
  uint32_t head_dim_full = 0;
  uint32_t n_ff = 0;
  bool double_wide_mlp = false;  // KV-shared layers get 2·n_ff (E2B)
  // 'S' = sliding, 'G' = global (full attention); repeated cyclically over the layers.
  std::string layer_pattern;
  uint32_t sliding_window = 0;
  uint32_t n_embd_per_layer = 0;  // P; 0 = no per-layer embeddings
  uint32_t n_kv_shared = 0;       // tail layers that reuse an earlier layer's KV cache
  bool k_eq_v_full = false;       // global layers have no attn_v (26B, 31B)
  // Google's released E2B/E4B checkpoints (and GGUFs converted from them) still carry the unused K/V
  // projections and k_norm on KV-shared layers; re-saved and QAT checkpoints, like the fixtures, omit them.
  bool kv_tensors_on_shared_layers = false;
  uint32_t n_expert = 0;          // 0 = dense
  uint32_t n_expert_used = 0;
  uint32_t n_ff_exp = 0;
  float rope_freq_base_full = 1e6f;
  float rope_freq_base_swa = 1e4f;
  float partial_rotary_full = 0.25f;
  float final_logit_softcapping = 30.0f;
  float rms_norm_eps = 1e-6f;

  bool is_sliding(uint32_t il) const { return layer_pattern[il % layer_pattern.size()] == 'S'; }
  bool has_kv(uint32_t il) const { return il < n_layer - n_kv_shared; }
  bool has_kv_tensors(uint32_t il) const { return has_kv(il) || kv_tensors_on_shared_layers; }
  bool has_v_tensor(uint32_t il) const { return has_kv_tensors(il) && !(k_eq_v_full && !is_sliding(il)); }
  bool is_moe() const { return n_expert > 0; }
  bool has_ple() const { return n_embd_per_layer > 0; }
  uint32_t head_dim(uint32_t il) const { return is_sliding(il) ? head_dim_swa : head_dim_full; }
  uint32_t head_count_kv(uint32_t il) const { return is_sliding(il) ? n_head_kv_swa : n_head_kv_full; }
  uint32_t feed_forward_length(uint32_t il) const { return double_wide_mlp && !has_kv(il) ? 2 * n_ff : n_ff; }
  // Entries of rope_freqs.weight that rotate (factor 1); the rest get 1e30 (proportional RoPE, §3.1).
  uint32_t rotated_pairs_full() const {
    return static_cast<uint32_t>(static_cast<float>(head_dim_full) * partial_rotary_full / 2.0f);
  }
};

}  // namespace hearth::synth
