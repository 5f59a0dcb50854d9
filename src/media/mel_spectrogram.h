#pragma once
// The Gemma 4 audio front end (spec/gemma4.md §6.2) exactly as the llama.cpp oracle computes it: semicausal
// left pad of half a frame, periodic Hann frames of 320 samples every 160 zero-padded to a 512-point FFT,
// magnitude spectrum, HTK mel filterbank without area normalisation, ln(max(mel, floor)) (llama.cpp's floor;
// HF adds it instead, §9 D-19). Long audio is cut into 30-second chunks that are featurised and encoded
// independently (§6.2 "Long audio").
#include <cstdint>
#include <span>
#include <vector>

#include "media/mel_fft.h"

namespace hearth::media {

struct MelParams {
  int sample_rate = 16000;
  int frame_length = 320;  // Hann window length; the left pad is half of it
  int hop = 160;
  int n_fft = 512;
  int n_mel = 128;
  double f_min = 0.0;
  double f_max = 8000.0;
  double mel_floor = 1e-3;
  MelFft fft = MelFft::oracle;
};

// Log-mel features of one chunk, row-major [n_mel][n_frames] (the oracle's dump layout).
struct LogMel {
  int64_t n_mel = 0;
  int64_t n_frames = 0;
  std::vector<float> values;

  float at(int64_t mel, int64_t frame) const { return values[mel * n_frames + frame]; }
};

class MelSpectrogram {
 public:
  explicit MelSpectrogram(const MelParams& params = {});
  ~MelSpectrogram();
  MelSpectrogram(const MelSpectrogram&) = delete;
  MelSpectrogram& operator=(const MelSpectrogram&) = delete;

  const MelParams& params() const { return params_; }

  // Frames for n samples: (n + pad − (frame_length + 1)) / hop + 1 in C++ integer division, as llama.cpp
  // computes it (it truncates towards zero, so 1 to 160 samples still give one frame); 0 for no samples.
  int64_t frame_count(int64_t n_samples) const;

  // Features of one chunk of 16 kHz samples. Safe to call from several threads at once.
  LogMel compute(std::span<const float> samples) const;

 private:
  struct Filter {
    int64_t first_bin = 0;
    std::vector<float> weights;  // bins first_bin, first_bin + 1, …
  };

  MelParams params_;
  std::vector<float> window_;    // [frame_length], periodic Hann
  std::vector<Filter> filters_;  // [n_mel], only the bins a triangle covers
  MagnitudeSpectrum spectrum_;
};

inline constexpr int64_t kAudioChunkSamples = 30 * 16000;

// Consecutive chunks of at most chunk_samples; the last one may be shorter.
std::vector<std::span<const float>> split_audio_chunks(std::span<const float> pcm,
                                                       int64_t chunk_samples = kAudioChunkSamples);

}  // namespace hearth::media
