#include "models/gemma4/audio_config.h"

#include <string>

namespace hearth::models::gemma4 {
namespace {

// Far above any real tower, low enough that no product of two of them overflows or allocates absurdly.
constexpr int64_t kMaxWidth = 1 << 16;
constexpr int64_t kMaxLayers = 1024;

struct KeyReader {
  const gguf::GgufFile& file;
  std::string prefix;  // "clip.audio." or "gemma4.audio."

  Result<int64_t> uint(const std::string& name, int64_t max) const {
    const std::string key = prefix + name;
    Result<uint64_t> value = file.get_uint(key);
    if (!value) return Error{value.error()};
    if (*value == 0 || *value > static_cast<uint64_t>(max)) {
      return make_error("key '", key, "' = ", *value, " is out of range (1 to ", max, ")");
    }
    return static_cast<int64_t>(*value);
  }
  Result<int64_t> uint_or(const std::string& name, int64_t max, int64_t fallback) const {
    if (!file.find(prefix + name)) return fallback;
    return uint(name, max);
  }
};

Result<const gguf::TensorInfo*> require_tensor(const gguf::GgufFile& file, const std::string& name) {
  const gguf::TensorInfo* tensor = file.find_tensor(name);
  if (!tensor) return make_error("missing required tensor '", name, "'");
  return tensor;
}

// Output size of the SSCP's 3×3, stride-2, pad-1 convolution.
int64_t halved(int64_t n) { return (n - 1) / 2 + 1; }

}  // namespace

bool has_audio_tower(const gguf::GgufFile& file) { return file.find_tensor("a.conv1d.0.weight") != nullptr; }

Result<AudioConfig> load_audio_config(const gguf::GgufFile& file) {
  if (!has_audio_tower(file)) return make_error("the file has no audio encoder (no 'a.conv1d.0.weight' tensor)");
  AudioConfig config;
  const bool projector_file = file.find("clip.audio.embedding_length") != nullptr;
  if (projector_file && file.find("clip.audio.projector_type")) {
    Result<std::string> type = file.get_string("clip.audio.projector_type");
    if (!type) return Error{type.error()};
    if (*type != "gemma4a") return make_error("audio projector type '", *type, "' is not gemma4a");
  }
  const KeyReader keys{file, projector_file ? "clip.audio." : "gemma4.audio."};

  if (file.find_tensor("a.input_projection.weight")) config.naming = AudioTensorNaming::llama_cpp;
  else if (file.find_tensor("mm.a.fc.weight") || file.find_tensor("a.blk.0.ln1.weight")) config.naming = AudioTensorNaming::ollama;
  else return make_error("missing required tensor 'a.input_projection.weight' (or Ollama's 'mm.a.fc.weight')");

  Result<int64_t> n_embd = keys.uint("embedding_length", kMaxWidth);
  Result<int64_t> n_ff = keys.uint("feed_forward_length", kMaxWidth);
  Result<int64_t> n_layer = keys.uint("block_count", kMaxLayers);
  Result<int64_t> n_head = keys.uint("attention.head_count", kMaxWidth);
  Result<int64_t> n_mel = keys.uint_or("num_mel_bins", kMaxWidth, 128);
  for (const Result<int64_t>* value : {&n_embd, &n_ff, &n_layer, &n_head, &n_mel}) {
    if (!value->ok()) return Error{value->error()};
  }
  config.n_embd = *n_embd;
  config.n_ff = *n_ff;
  config.n_layer = *n_layer;
  config.n_head = *n_head;
  config.n_mel = *n_mel;
  if (config.n_embd % config.n_head != 0) {
    return make_error("audio embedding length ", config.n_embd, " is not a multiple of the head count ", config.n_head);
  }
  config.head_dim = config.n_embd / config.n_head;
  config.sscp_freq = halved(halved(config.n_mel));

  // Widths only the tensors carry; load_audio_weights checks every shape against them.
  const bool ollama = config.naming == AudioTensorNaming::ollama;
  for (int i = 0; i < 2; ++i) {
    Result<const gguf::TensorInfo*> conv = require_tensor(file, "a.conv1d." + std::to_string(i) + ".weight");
    if (!conv) return Error{conv.error()};
    config.sscp_channels[i] = (*conv)->ne[3];
  }
  Result<const gguf::TensorInfo*> conv_dw = require_tensor(file, "a.blk.0.conv_dw.weight");
  Result<const gguf::TensorInfo*> output_proj = require_tensor(file, ollama ? "mm.a.fc.weight" : "a.pre_encode.out.weight");
  Result<const gguf::TensorInfo*> embedder = require_tensor(file, "mm.a.input_projection.weight");
  for (const auto* tensor : {&conv_dw, &output_proj, &embedder}) {
    if (!tensor->ok()) return Error{tensor->error()};
  }
  config.conv_kernel = (*conv_dw)->ne[0];
  config.n_output_proj = (*output_proj)->ne[1];
  config.n_embd_text = (*embedder)->ne[1];
  if (Result<int64_t> kernel = keys.uint_or("conv_kernel_size", kMaxWidth, config.conv_kernel); !kernel) {
    return Error{kernel.error()};
  } else if (*kernel != config.conv_kernel) {
    return make_error("key '", keys.prefix, "conv_kernel_size' = ", *kernel, " but 'a.blk.0.conv_dw.weight' has kernel ",
                      config.conv_kernel);
  }
  for (int64_t width : {config.sscp_channels[0], config.sscp_channels[1], config.conv_kernel, config.n_output_proj,
                        config.n_embd_text}) {
    if (width < 1 || width > kMaxWidth) return make_error("audio tensor width ", width, " is out of range");
  }
  return config;
}

}  // namespace hearth::models::gemma4
