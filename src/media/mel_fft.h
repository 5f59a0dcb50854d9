#pragma once
// Magnitude spectra of real frames for the mel front end, by one of two FFTs:
// - oracle: llama.cpp's own float radix-2 decimation-in-time FFT with a float twiddle table, reproduced
//   operation for operation. Its rounding moves quiet mel bins of speech by up to ~3e-4 in log units
//   against an exact DFT, more than the 1e-4 the conformance check allows, so this is the default.
// - fftw: FFTW's single-precision real FFT, accurate to float rounding (closer to HF's numpy front end).
// One object serves concurrent callers: each passes its own scratch.
#include <memory>
#include <span>
#include <vector>

namespace hearth::media {

enum class MelFft { oracle, fftw };

class MagnitudeSpectrum {
 public:
  // n_fft must be a power of two for the oracle FFT.
  MagnitudeSpectrum(int n_fft, MelFft kind);
  ~MagnitudeSpectrum();
  MagnitudeSpectrum(const MagnitudeSpectrum&) = delete;
  MagnitudeSpectrum& operator=(const MagnitudeSpectrum&) = delete;

  struct Scratch {
    std::vector<float> work;
  };

  // magnitude[k] = |Σ_n frame[n]·e^(−2πi·kn/n_fft)|, k = 0..n_fft/2; frame holds n_fft values.
  void compute(std::span<const float> frame, std::span<float> magnitude, Scratch& scratch) const;

 private:
  void radix2(const float* in, int n, int stride, float* out) const;

  int n_fft_;
  MelFft kind_;
  std::vector<float> cos_, sin_;  // oracle twiddles: cos/sin(2πi/n_fft) rounded to float
  struct FftwPlan;
  std::unique_ptr<FftwPlan> fftw_;
};

}  // namespace hearth::media
