#include "models/gemma4/audio_encoder.h"

#include <algorithm>
#include <numeric>

#include "models/gemma4/audio_layers.h"

namespace hearth::models::gemma4 {
namespace {

media::MelParams mel_params(const AudioConfig& config) {
  media::MelParams params;
  params.n_mel = static_cast<int>(config.n_mel);
  return params;
}

}  // namespace

AudioEncoder::AudioEncoder(std::unique_ptr<gguf::GgufFile> file, AudioConfig config, AudioWeights weights)
    : file_(std::move(file)), config_(config), weights_(std::move(weights)), front_end_(mel_params(config_)) {}

Result<std::unique_ptr<AudioEncoder>> AudioEncoder::load(const std::filesystem::path& path) {
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(path);
  if (!file) return make_error("cannot open '", path.string(), "': ", file.error());
  Result<std::unique_ptr<AudioEncoder>> encoder = load(std::move(*file));
  if (!encoder) return make_error("'", path.string(), "': ", encoder.error());
  return encoder;
}

Result<std::unique_ptr<AudioEncoder>> AudioEncoder::load(std::unique_ptr<gguf::GgufFile> file) {
  Result<AudioConfig> config = load_audio_config(*file);
  if (!config) return std::move(config).take_error();
  Result<AudioWeights> weights = load_audio_weights(*file, *config);
  if (!weights) return std::move(weights).take_error();
  return std::unique_ptr<AudioEncoder>(new AudioEncoder(std::move(file), *config, std::move(*weights)));
}

int64_t AudioEncoder::tokens_for_frames(int64_t n_frames) {
  if (n_frames <= 0) return 0;
  const auto halved = [](int64_t n) { return (n - 1) / 2 + 1; };
  return halved(halved(n_frames));
}

int64_t AudioEncoder::tokens_for_samples(int64_t n_samples) const {
  int64_t tokens = 0;
  for (int64_t offset = 0; offset < n_samples; offset += media::kAudioChunkSamples) {
    tokens += tokens_for_frames(front_end_.frame_count(std::min(media::kAudioChunkSamples, n_samples - offset)));
  }
  return tokens;
}

Result<AudioEmbeddings> AudioEncoder::encode_mel(const media::LogMel& mel, const AudioEncodeOptions& options) const {
  if (mel.n_mel != config_.n_mel) {
    return make_error("log-mel has ", mel.n_mel, " bins; the audio encoder expects ", config_.n_mel);
  }
  const int64_t n_tokens = tokens_for_frames(mel.n_frames);
  AudioEmbeddings out{n_tokens, config_.n_embd_text, {}};
  if (n_tokens == 0) return out;

  MicroBatch mb{cpu::default_op_context(), options.numerics, config_.eps, std::vector<int32_t>(n_tokens),
                std::vector<int32_t>(n_tokens, 0)};
  std::iota(mb.positions.begin(), mb.positions.end(), 0);
  Rows x = subsample(mb, config_, weights_, mel);
  const Rows relative_positions = relative_position_table(config_);
  for (const AudioBlockWeights& block : weights_.blocks) x = conformer_block(mb, config_, block, relative_positions, x);
  out.values = embed_for_text(mb, config_, weights_, x);
  return out;
}

Result<AudioEmbeddings> encode_audio(const AudioEncoder& encoder, std::span<const float> pcm16k,
                                     const AudioEncodeOptions& options) {
  AudioEmbeddings all{0, encoder.n_embd(), {}};
  for (std::span<const float> chunk : media::split_audio_chunks(pcm16k)) {
    Result<AudioEmbeddings> part = encoder.encode_mel(encoder.front_end().compute(chunk), options);
    if (!part) return part;
    all.n_tokens += part->n_tokens;
    all.values.insert(all.values.end(), part->values.begin(), part->values.end());
  }
  return all;
}

}  // namespace hearth::models::gemma4
