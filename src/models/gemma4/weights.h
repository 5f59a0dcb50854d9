#pragma once
// Gemma 4 text weights (spec/gemma4.md §3.1–3.2), bound by one table: each entry names a GGUF tensor, its
// expected shape, whether it must exist, and where it goes. The same table drives loading, shape checks,
// `hearth show` and tests. Matrices are bound in the memory-mapped file (the text model then places the
// dense ones for decode, cpu/resident_weights.h); only 1-D tensors (norms, scales) are decoded to f32 at load. Tensors the table does not name (an
// Ollama file's `v.`, `a.`, `mm.` towers) are ignored.
#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "cpu/ops.h"
#include "gguf/gguf_file.h"
#include "models/gemma4/config.h"

namespace hearth::models::gemma4 {

struct LayerWeights {
  std::vector<float> attn_norm, attn_q_norm, attn_k_norm, post_attention_norm;
  cpu::WeightMatrix attn_q, attn_k, attn_v, attn_output;  // attn_v absent: V is the raw K projection
  std::vector<float> ffn_norm, post_ffw_norm;
  cpu::WeightMatrix ffn_gate, ffn_up, ffn_down;
  float output_scale = 1.0f;  // layer_output_scale; 1 when absent

  // Per-layer embeddings (P > 0).
  cpu::WeightMatrix ple_gate, ple_proj;
  std::vector<float> ple_post_norm;

  // MoE (every layer of a MoE model). Expert matrices describe one expert; data holds all n_expert.
  cpu::WeightMatrix router;
  std::vector<float> router_scale, expert_down_scale;  // expert_down_scale empty: all 1
  std::vector<float> pre_ffw_norm_2, post_ffw_norm_1, post_ffw_norm_2;
  cpu::WeightMatrix experts_gate_up;                   // fused [gate; up], or absent in the split form
  cpu::WeightMatrix experts_gate, experts_up;          // split form
  cpu::WeightMatrix experts_down;
};

struct Weights {
  const gguf::TensorInfo* token_embd = nullptr;            // rows are looked up, any decodable type
  const gguf::TensorInfo* per_layer_token_embd = nullptr;  // [n_vocab, L·P], when P > 0
  cpu::WeightMatrix per_layer_model_proj;                  // d → L·P
  std::vector<float> per_layer_proj_norm;
  std::vector<float> rope_freqs;                           // full-layer frequency divisors
  std::vector<float> output_norm;
  cpu::WeightMatrix output;                                // token_embd when tied
  std::vector<LayerWeights> layers;
};

// Calls fn(matrix) for every dense linear matrix of `weights` (const or not): all but the experts'.
template <class W, class Fn>
void for_each_dense_matrix(W& weights, Fn fn) {
  fn(weights.output);
  fn(weights.per_layer_model_proj);
  for (auto& w : weights.layers) {
    for (auto* m : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.ple_gate,
                    &w.ple_proj, &w.router}) {
      fn(*m);
    }
  }
}

enum class Need {
  required,
  optional,
  tied,    // optional; when absent the tensor named by tied_to takes its place
  unused,  // may be present (KV-shared layers keep unused attn_k / attn_v), never read
};

using BindingTarget = std::variant<std::monostate, cpu::WeightMatrix*, std::vector<float>*, float*,
                                   const gguf::TensorInfo**>;

struct Binding {
  std::string name;
  std::array<int64_t, 4> ne;  // ggml order, unused trailing dims 1
  Need need = Need::required;
  BindingTarget target;       // monostate for unused tensors
  std::string tied_to;
};

// The table for `config`, with targets pointing into `weights` (whose layers it sizes).
std::vector<Binding> bindings(const Config& config, Weights& weights);

// Binds every table entry; a missing required tensor, a wrong shape or an unsupported type is an error
// naming the tensor.
Result<Weights> load_weights(const gguf::GgufFile& file, const Config& config);

}  // namespace hearth::models::gemma4
