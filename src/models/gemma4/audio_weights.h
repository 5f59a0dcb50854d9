#pragma once
// Gemma 4 audio conformer weights (spec/gemma4.md §3.4) under either tensor naming. Matrices stay in the
// memory-mapped file; norms, scales, the depthwise kernel and clamp bounds are decoded to f32 at load.
#include <limits>
#include <vector>

#include "core/result.h"
#include "cpu/ops.h"
#include "gguf/gguf_file.h"
#include "models/gemma4/audio_config.h"
#include "models/gemma4/clippable_linear.h"

namespace hearth::models::gemma4 {

// HF ClippableLinear (§5.5): y = clamp(W · clamp(x, input bounds), output bounds); a bound the file does not
// carry is infinite.
struct AudioFeedForwardWeights {
  std::vector<float> pre_norm, post_norm;
  ClippableLinear up, down;
};

struct AudioBlockWeights {
  AudioFeedForwardWeights ffn[2];  // the half-step FFNs before attention and after the light conv
  std::vector<float> attn_pre_norm, attn_post_norm;
  ClippableLinear attn_q, attn_k, attn_v, attn_out, attn_k_rel;
  std::vector<float> per_dim_scale;    // [head_dim], already softplus'd in the file
  std::vector<float> per_dim_k_scale;  // [head_dim], optional (older checkpoints); empty = absent
  // GGUF `conv_norm` is the module's pre-norm and `norm_conv` the norm after the depthwise conv (§6.8).
  std::vector<float> conv_pre_norm, conv_post_norm;
  ClippableLinear conv_pw1, conv_pw2;
  std::vector<float> conv_dw;          // [n_embd][kernel]
  std::vector<float> out_norm;         // HF norm_out: llama.cpp `ln2`, Ollama `layer_pre_norm`
};

struct AudioWeights {
  cpu::WeightMatrix sscp_conv[2];      // [channels_out, channels_in·3·3]
  std::vector<float> sscp_norm[2];
  ClippableLinear input_projection;    // SSCP flatten → n_embd
  std::vector<AudioBlockWeights> blocks;
  ClippableLinear output_proj;         // n_embd → n_output_proj
  std::vector<float> output_proj_bias;
  std::vector<float> soft_emb_norm;    // optional weight of the embedder's norm; empty = none
  ClippableLinear embedding_projection;  // n_output_proj → text n_embd
};

// Binds every tensor of `config`'s naming; a missing required tensor, a wrong shape, an unusable type or a
// clamp bound that is not one F32 value is an error naming the tensor.
Result<AudioWeights> load_audio_weights(const gguf::GgufFile& file, const AudioConfig& config);

}  // namespace hearth::models::gemma4
