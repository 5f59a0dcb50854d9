#pragma once
// The Gemma 4 audio encoder (`gemma4a`, spec/gemma4.md §6): 16 kHz mono PCM → log-mel (§6.2) → SSCP
// convolutions (§6.3) → conformer blocks (§6.4–6.6) → output projection and multimodal embedder (§6.7) →
// one soft token of the text model's width per 40 ms.
//
// Placing the soft tokens in the text sequence (§7): the chat template renders one `<|audio|>` per audio
// attachment; the engine replaces it with `<|audio>` (begin, HF id 256000), then n_tokens placeholder
// positions `<|audio|>` (258881) whose input rows are AudioEmbeddings rows used as they are (no √d embedding
// scale; PLE token part from id 0), then `<audio|>` (end, 258883). Look the three ids up by string in the
// vocabulary. The placeholders take consecutive positions like text, and attention over them stays causal
// (§7.3). Long audio gives the tokens of all its 30 s chunks, in order, between one begin/end pair.
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"
#include "cpu/ops.h"
#include "gguf/gguf_file.h"
#include "media/mel_spectrogram.h"
#include "models/gemma4/audio_config.h"
#include "models/gemma4/audio_weights.h"

namespace hearth::models::gemma4 {

struct AudioEmbeddings {
  int64_t n_tokens = 0;
  int64_t n_embd = 0;          // the text model's width
  std::vector<float> values;   // [n_tokens][n_embd]
};

struct AudioEncodeOptions {
  // as_stored reproduces llama.cpp's CPU numerics (activations rounded to F16 before F16 weights);
  // f32_upcast multiplies exact f32 weights.
  cpu::LinearNumerics numerics = cpu::LinearNumerics::as_stored;
};

class AudioEncoder {
 public:
  // From a projector GGUF (`--mmproj`, llama.cpp naming) or a model GGUF with the tower embedded (Ollama
  // naming). Errors name the file and the missing or mis-shaped tensor or key.
  static Result<std::unique_ptr<AudioEncoder>> load(const std::filesystem::path& path);
  static Result<std::unique_ptr<AudioEncoder>> load(std::unique_ptr<gguf::GgufFile> file);

  const AudioConfig& config() const { return config_; }
  const media::MelSpectrogram& front_end() const { return front_end_; }
  int64_t n_embd() const { return config_.n_embd_text; }

  // Soft tokens for a chunk of n_frames mel frames (two stride-2 convolutions), and for n samples of audio
  // (summed over its 30 s chunks).
  static int64_t tokens_for_frames(int64_t n_frames);
  int64_t tokens_for_samples(int64_t n_samples) const;

  // One chunk's log-mel [n_mel][n_frames] → [tokens_for_frames(n_frames)][n_embd]. Not safe for concurrent
  // calls (the ops share the process thread pool).
  Result<AudioEmbeddings> encode_mel(const media::LogMel& mel, const AudioEncodeOptions& options = {}) const;

 private:
  AudioEncoder(std::unique_ptr<gguf::GgufFile> file, AudioConfig config, AudioWeights weights);

  std::unique_ptr<gguf::GgufFile> file_;  // the weights point into its mapping
  AudioConfig config_;
  AudioWeights weights_;
  media::MelSpectrogram front_end_;
};

// 16 kHz mono samples → soft tokens: every 30 s chunk is featurised and encoded on its own and the tokens
// are concatenated (llama.cpp's long-audio rule, §6.2). No samples give zero tokens.
Result<AudioEmbeddings> encode_audio(const AudioEncoder& encoder, std::span<const float> pcm16k,
                                     const AudioEncodeOptions& options = {});

}  // namespace hearth::models::gemma4
