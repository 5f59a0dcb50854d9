#pragma once
// Gemma 4 text hyperparameters from GGUF metadata (spec/gemma4.md §2.1, §4.1), resolved per layer once at
// load time so the forward pass never looks anything up.
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"

namespace hearth::models::gemma4 {

struct LayerConfig {
  bool sliding = false;     // sliding-window attention (pattern true) vs full attention
  int64_t head_dim = 0;     // key_length_swa or key_length
  int64_t n_head_kv = 0;
  int64_t n_ff = 0;         // dense GeGLU width
  int64_t n_rot = 0;
  float rope_base = 0.0f;
  bool has_kv = true;       // false on the KV-shared tail layers
  bool moe = false;         // has a router (ffn_gate_inp): experts run beside the dense MLP (§4.8)
  int64_t kv_source = 0;    // the layer whose K/V this layer attends over: itself, or its donor (§4.6)
};

struct Config {
  int64_t n_layer = 0;
  int64_t n_embd = 0;           // d
  int64_t n_head = 0;
  int64_t n_vocab = 0;          // rows of token_embd
  int64_t n_ctx_train = 0;
  int64_t n_embd_per_layer = 0; // P; 0 = no per-layer embeddings
  int64_t sliding_window = 0;   // W: keys a sliding layer sees, the query's own included
  int64_t n_shared_kv_layers = 0;
  float rms_eps = 0.0f;
  float final_logit_softcap = 0.0f;  // ≤ 0: none
  int64_t n_expert = 0;         // 0: dense model
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  std::vector<LayerConfig> layers;

  bool has_per_layer_embeddings() const { return n_embd_per_layer > 0; }
  bool is_moe() const { return n_expert > 0; }
};

// Reads and checks every key; errors name the key and what was expected.
Result<Config> load_config(const gguf::GgufFile& file);

}  // namespace hearth::models::gemma4
