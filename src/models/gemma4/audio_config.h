#pragma once
// Gemma 4 audio conformer hyperparameters (spec/gemma4.md §2.3, §2.4, §6): from a llama.cpp projector file
// (`clip.audio.*` keys) or an Ollama single-file model (`gemma4.audio.*` keys), with the widths the keys do
// not carry (SSCP channels, conv kernel, output projection, text width) read from tensor shapes.
#include <cstdint>

#include "core/result.h"
#include "gguf/gguf_file.h"

namespace hearth::models::gemma4 {

// The two tensor namings of §3.4: they differ for the SSCP input projection, the attention norms, the
// block output norm, the relative-position projection and the output projection.
enum class AudioTensorNaming { llama_cpp, ollama };

struct AudioConfig {
  AudioTensorNaming naming = AudioTensorNaming::llama_cpp;
  int64_t n_mel = 0;            // mel bins of the front end
  int64_t n_embd = 0;           // conformer width
  int64_t n_head = 0;
  int64_t head_dim = 0;         // n_embd / n_head
  int64_t n_ff = 0;             // half-step FFN width
  int64_t n_layer = 0;
  int64_t sscp_channels[2] = {0, 0};
  int64_t sscp_freq = 0;        // mel bins left after the two stride-2 convolutions
  int64_t conv_kernel = 0;      // LightConv1d depthwise kernel
  int64_t n_output_proj = 0;    // output projection width (1536 in the released models)
  int64_t n_embd_text = 0;      // soft-token width = the text model's n_embd

  // llama.cpp hard-codes these for gemma4a (§2.3); files do not carry them.
  float eps = 1e-6f;            // old files store 1e-5 in the key, which is wrong (§6.8)
  int64_t chunk_size = 12;      // attention blocks of the reference; a query sees max_past keys, itself included
  int64_t max_past = 12;
  float attention_softcap = 50.0f;
  float ffn_residual_weight = 0.5f;
};

// Whether the file holds Gemma 4 audio tensors at all (a projector with an audio tower, or a model file with
// the tower embedded).
bool has_audio_tower(const gguf::GgufFile& file);

Result<AudioConfig> load_audio_config(const gguf::GgufFile& file);

}  // namespace hearth::models::gemma4
