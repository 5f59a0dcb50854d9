#pragma once
// Audio files → 16 kHz mono float32, the input of every speech model (spec/gemma4.md §6.1). libsndfile reads
// WAV (PCM 8/16/24/32-bit, float 32/64, WAVE_FORMAT_EXTENSIBLE), FLAC, MP3 and OGG/Vorbis from a path or
// from bytes already in memory (an upload); channels are averaged and soxr resamples at high quality.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "core/result.h"

namespace hearth::media {

inline constexpr int kSpeechSampleRate = 16000;

struct AudioDecodeOptions {
  // Longer input is refused: from the header before anything is decoded, and again while decoding for
  // formats whose header only estimates the length (MP3).
  double max_seconds = 1800.0;
};

// What the header says, before decoding.
struct AudioInfo {
  int64_t frames = 0;  // per channel; an estimate for some formats
  int sample_rate = 0;
  int channels = 0;
  double seconds() const { return sample_rate > 0 ? static_cast<double>(frames) / sample_rate : 0.0; }
};

struct DecodedAudio {
  AudioInfo source;
  std::vector<float> samples;  // mono, kSpeechSampleRate
};

Result<DecodedAudio> decode_audio_file(const std::filesystem::path& path, const AudioDecodeOptions& options = {});
// `bytes` is only read during the call.
Result<DecodedAudio> decode_audio_memory(std::span<const uint8_t> bytes, const AudioDecodeOptions& options = {});

}  // namespace hearth::media
