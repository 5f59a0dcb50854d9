#include "media/mel_spectrogram.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hearth::media {
namespace {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

}  // namespace

MelSpectrogram::MelSpectrogram(const MelParams& params) : params_(params), spectrum_(params.n_fft, params.fft) {
  window_.resize(params_.frame_length);
  for (int n = 0; n < params_.frame_length; ++n) {
    const float angle = 2.0f * std::numbers::pi_v<float> * static_cast<float>(n) / static_cast<float>(params_.frame_length);
    window_[n] = 0.5f - 0.5f * std::cos(angle);
  }

  // n_mel triangles between n_mel + 2 points equally spaced on the HTK mel scale, in double as the oracle.
  const int n_bins = params_.n_fft / 2 + 1;
  const double mel_lo = hz_to_mel(params_.f_min);
  const double mel_hi = hz_to_mel(params_.f_max);
  std::vector<double> edges(params_.n_mel + 2);
  for (int i = 0; i < params_.n_mel + 2; ++i) edges[i] = mel_to_hz(mel_lo + (mel_hi - mel_lo) * i / (params_.n_mel + 1));
  const double bin_hz = static_cast<double>(params_.sample_rate) / params_.n_fft;
  filters_.resize(params_.n_mel);
  for (int m = 0; m < params_.n_mel; ++m) {
    const double left = edges[m], center = edges[m + 1], right = edges[m + 2];
    std::vector<float> weights(n_bins, 0.0f);
    for (int k = 0; k < n_bins; ++k) {
      const double f = k * bin_hz;
      if (f >= left && f <= center) weights[k] = static_cast<float>((f - left) / std::max(1e-30, center - left));
      else if (f > center && f <= right) weights[k] = static_cast<float>((right - f) / std::max(1e-30, right - center));
    }
    const auto nonzero = [](float w) { return w != 0.0f; };
    const auto first = std::find_if(weights.begin(), weights.end(), nonzero);
    const auto last = std::find_if(weights.rbegin(), weights.rend(), nonzero).base();
    Filter& filter = filters_[m];
    filter.first_bin = first - weights.begin();
    if (first < last) filter.weights.assign(first, last);
  }
}

MelSpectrogram::~MelSpectrogram() = default;

int64_t MelSpectrogram::frame_count(int64_t n_samples) const {
  if (n_samples <= 0) return 0;
  const int64_t padded = n_samples + params_.frame_length / 2;
  return (padded - (params_.frame_length + 1)) / params_.hop + 1;
}

LogMel MelSpectrogram::compute(std::span<const float> samples) const {
  const int64_t n_frames = frame_count(static_cast<int64_t>(samples.size()));
  const int64_t n_samples = static_cast<int64_t>(samples.size());
  const int64_t pad = params_.frame_length / 2;
  const int n_bins = params_.n_fft / 2 + 1;
  LogMel mel{params_.n_mel, n_frames, std::vector<float>(params_.n_mel * n_frames)};

  std::vector<float> frame(params_.n_fft, 0.0f);  // the tail past frame_length stays zero
  std::vector<float> magnitude(n_bins);
  MagnitudeSpectrum::Scratch scratch;
  for (int64_t f = 0; f < n_frames; ++f) {
    // Sample n of frame f is s[hop·f + n − pad]; outside the signal it is zero.
    const int64_t start = f * params_.hop - pad;
    for (int n = 0; n < params_.frame_length; ++n) {
      const int64_t i = start + n;
      frame[n] = (i >= 0 && i < n_samples) ? window_[n] * samples[i] : 0.0f;
    }
    spectrum_.compute(frame, magnitude, scratch);
    for (int m = 0; m < params_.n_mel; ++m) {
      const Filter& filter = filters_[m];
      double sum = 0.0;
      for (size_t j = 0; j < filter.weights.size(); ++j) sum += magnitude[filter.first_bin + j] * filter.weights[j];
      mel.values[m * n_frames + f] = static_cast<float>(std::log(std::max(sum, params_.mel_floor)));
    }
  }
  return mel;
}

std::vector<std::span<const float>> split_audio_chunks(std::span<const float> pcm, int64_t chunk_samples) {
  std::vector<std::span<const float>> chunks;
  for (size_t offset = 0; offset < pcm.size(); offset += static_cast<size_t>(chunk_samples)) {
    chunks.push_back(pcm.subspan(offset, std::min<size_t>(static_cast<size_t>(chunk_samples), pcm.size() - offset)));
  }
  return chunks;
}

}  // namespace hearth::media
