#include "media/mel_fft.h"

#include <fftw3.h>

#include <cmath>
#include <complex>
#include <mutex>
#include <numbers>

namespace hearth::media {
namespace {

// FFTW's planner keeps global state: creating and destroying plans must not run concurrently (executing a
// plan on new arrays may).
std::mutex& fftw_planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

struct MagnitudeSpectrum::FftwPlan {
  fftwf_plan plan = nullptr;

  explicit FftwPlan(int n_fft) {
    std::vector<float> in(n_fft);
    std::vector<std::complex<float>> out(n_fft / 2 + 1);
    std::lock_guard lock(fftw_planner_mutex());
    // UNALIGNED: compute() runs the plan on the caller's buffers, whose alignment the planner cannot know.
    plan = fftwf_plan_dft_r2c_1d(n_fft, in.data(), reinterpret_cast<fftwf_complex*>(out.data()),
                                 FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  ~FftwPlan() {
    std::lock_guard lock(fftw_planner_mutex());
    fftwf_destroy_plan(plan);
  }
};

MagnitudeSpectrum::MagnitudeSpectrum(int n_fft, MelFft kind) : n_fft_(n_fft), kind_(kind) {
  if (kind_ == MelFft::fftw) {
    fftw_ = std::make_unique<FftwPlan>(n_fft);
    return;
  }
  cos_.resize(n_fft);
  sin_.resize(n_fft);
  for (int i = 0; i < n_fft; ++i) {
    // The oracle rounds the angle to float before taking sinf / cosf.
    const float angle = static_cast<float>(2.0 * std::numbers::pi * i / n_fft);
    cos_[i] = std::cos(angle);
    sin_[i] = std::sin(angle);
  }
}

MagnitudeSpectrum::~MagnitudeSpectrum() = default;

// out [2n] (re, im interleaved) = DFT of in[0], in[stride], …, in[(n−1)·stride]. The even half's transform
// goes to out[0, n), the odd half's to out[n, 2n), and each butterfly overwrites exactly the two slots it
// reads. The sums keep the oracle's evaluation order: (e + w_re·o_re) − w_im·o_im, with w_im = −sin.
void MagnitudeSpectrum::radix2(const float* in, int n, int stride, float* out) const {
  if (n == 1) {
    out[0] = in[0];
    out[1] = 0.0f;
    return;
  }
  const int half = n / 2;
  radix2(in, half, 2 * stride, out);
  radix2(in + stride, half, 2 * stride, out + n);
  const int step = n_fft_ / n;
  for (int k = 0; k < half; ++k) {
    const float w_re = cos_[k * step];
    const float w_im = -sin_[k * step];
    float* even = out + 2 * k;
    float* odd = out + n + 2 * k;
    const float e_re = even[0], e_im = even[1], o_re = odd[0], o_im = odd[1];
    even[0] = e_re + w_re * o_re - w_im * o_im;
    even[1] = e_im + w_re * o_im + w_im * o_re;
    odd[0] = e_re - w_re * o_re + w_im * o_im;
    odd[1] = e_im - w_re * o_im - w_im * o_re;
  }
}

void MagnitudeSpectrum::compute(std::span<const float> frame, std::span<float> magnitude, Scratch& scratch) const {
  const int n_bins = n_fft_ / 2 + 1;
  scratch.work.resize(2 * static_cast<size_t>(n_fft_));
  float* spectrum = scratch.work.data();  // interleaved re, im
  if (kind_ == MelFft::fftw) {
    // Out-of-place real-to-complex plans leave their input untouched, so the const_cast is only for the API.
    fftwf_execute_dft_r2c(fftw_->plan, const_cast<float*>(frame.data()), reinterpret_cast<fftwf_complex*>(spectrum));
  } else {
    radix2(frame.data(), n_fft_, 1, spectrum);
  }
  for (int k = 0; k < n_bins; ++k) {
    const float re = spectrum[2 * k], im = spectrum[2 * k + 1];
    magnitude[k] = std::sqrt(re * re + im * im);
  }
}

}  // namespace hearth::media
