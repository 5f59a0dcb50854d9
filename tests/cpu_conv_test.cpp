// Convolutions and pooling (cpu/conv.h) on every kernel table against the formulas written out here: the
// depthwise causal conv1d with its carried state, conv2d in both image layouts (the audio SSCP geometry and a
// patch embedding), and k×k average pooling.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/conv.h"
#include "support/cpu_kernel_testing.h"

namespace hearth::cpu {
namespace {

using testing::Floats;
using testing::normalized_mse;
using testing::random_floats;

// f32 sums of up to 768 products (in the matrix kernels' order) against double sums.
constexpr double kConvBound = 1e-11;

std::vector<Isa> all_runnable_isas() {
  std::vector<Isa> isas = {Isa::scalar};
  for (Isa isa : testing::runnable_simd_isas()) isas.push_back(isa);
  return isas;
}

class CpuConv : public ::testing::TestWithParam<Isa> {
 protected:
  CpuConv() : pool_(3), ctx_{&pool_, kernels_for(GetParam())} {}
  ThreadPool pool_;
  OpContext ctx_;
};

// y_t[c] = Σ_i w[c·K + i]·X_c[t + i] over X_c = [history…, x…], in double.
std::vector<float> conv1d_formula(const std::vector<float>& history, const float* x, int64_t n_tokens, const float* w,
                                  int64_t kernel, int64_t channels) {
  std::vector<float> window(history);
  window.insert(window.end(), x, x + n_tokens * channels);
  std::vector<float> y(n_tokens * channels);
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0.0;
      for (int64_t i = 0; i < kernel; ++i)
        sum += static_cast<double>(w[c * kernel + i]) * window[(t + i) * channels + c];
      y[t * channels + c] = static_cast<float>(sum);
    }
  }
  return y;
}

TEST_P(CpuConv, DepthwiseConv1dCarriesStateAcrossCalls) {
  for (int64_t kernel : {4, 5}) {
    for (int64_t channels : {7, 33, 1000}) {
      for (int64_t n_tokens : {1, 7, 33}) {
        const int64_t n_seqs = 2;
        const std::string what =
            "K=" + std::to_string(kernel) + " C=" + std::to_string(channels) + " n=" + std::to_string(n_tokens);
        const Floats w = random_floats(channels * kernel, 1, -1, 1, 1);
        const Floats x = random_floats(n_seqs * n_tokens * channels, 1, -2, 2, 2);
        const Floats initial = random_floats(n_seqs * (kernel - 1) * channels, 0, -2, 2, 3);
        std::vector<float> state(initial.data(), initial.data() + n_seqs * (kernel - 1) * channels);
        std::vector<float> y(n_seqs * n_tokens * channels);
        depthwise_conv1d(ctx_, x.data(), n_seqs, n_tokens, w.data(), kernel, channels, state.data(), y.data());
        for (int64_t s = 0; s < n_seqs; ++s) {
          const std::vector<float> history(initial.data() + s * (kernel - 1) * channels,
                                           initial.data() + (s + 1) * (kernel - 1) * channels);
          const float* xs = x.data() + s * n_tokens * channels;
          const std::vector<float> want = conv1d_formula(history, xs, n_tokens, w.data(), kernel, channels);
          EXPECT_LE(normalized_mse(y.data() + s * n_tokens * channels, want.data(), n_tokens * channels), kConvBound)
              << what;
          // The new state is the last K − 1 inputs of [history, x].
          std::vector<float> window(history);
          window.insert(window.end(), xs, xs + n_tokens * channels);
          const std::vector<float> want_state(window.end() - (kernel - 1) * channels, window.end());
          EXPECT_EQ(std::vector<float>(state.begin() + s * (kernel - 1) * channels,
                                       state.begin() + (s + 1) * (kernel - 1) * channels),
                    want_state)
              << what;
        }
      }
    }
  }
}

TEST_P(CpuConv, DepthwiseConv1dTokenByTokenEqualsOneCall) {
  const int64_t kernel = 4, channels = 600, n_tokens = 9;
  const Floats w = random_floats(channels * kernel, 0, -1, 1, 4);
  const Floats x = random_floats(n_tokens * channels, 0, -2, 2, 5);
  std::vector<float> whole(n_tokens * channels), stepped(n_tokens * channels);
  depthwise_conv1d(ctx_, x.data(), 1, n_tokens, w.data(), kernel, channels, nullptr, whole.data());  // zeros before
  std::vector<float> state((kernel - 1) * channels, 0.0f);
  for (int64_t t = 0; t < n_tokens; ++t) {
    depthwise_conv1d(ctx_, x.data() + t * channels, 1, 1, w.data(), kernel, channels, state.data(),
                     stepped.data() + t * channels);
  }
  EXPECT_EQ(whole, stepped);
}

struct ConvCase {
  ImageLayout layout;
  int64_t channels, height, width, n_out;
  Conv2dParams params;
};

// y[oy, ox, o] = Σ_{c, ky, kx} w[o, c, ky, kx]·image(c, oy·sh − ph + ky, ox·sw − pw + kx), zero outside, in double.
std::vector<float> conv2d_formula(const ConvCase& k, const float* image, const float* w) {
  const Conv2dParams& p = k.params;
  const int64_t out_h = conv2d_output_size(k.height, p.kernel_h, p.stride_h, p.pad_h);
  const int64_t out_w = conv2d_output_size(k.width, p.kernel_w, p.stride_w, p.pad_w);
  std::vector<float> y(out_h * out_w * k.n_out);
  for (int64_t oy = 0; oy < out_h; ++oy) {
    for (int64_t ox = 0; ox < out_w; ++ox) {
      for (int64_t o = 0; o < k.n_out; ++o) {
        double sum = 0.0;
        for (int64_t c = 0; c < k.channels; ++c) {
          for (int64_t ky = 0; ky < p.kernel_h; ++ky) {
            for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
              const int64_t y_in = oy * p.stride_h - p.pad_h + ky, x_in = ox * p.stride_w - p.pad_w + kx;
              if (y_in < 0 || y_in >= k.height || x_in < 0 || x_in >= k.width) continue;
              const int64_t at = k.layout == ImageLayout::chw ? (c * k.height + y_in) * k.width + x_in
                                                              : (y_in * k.width + x_in) * k.channels + c;
              sum += static_cast<double>(w[((o * k.channels + c) * p.kernel_h + ky) * p.kernel_w + kx]) * image[at];
            }
          }
        }
        y[(oy * out_w + ox) * k.n_out + o] = static_cast<float>(sum);
      }
    }
  }
  return y;
}

TEST_P(CpuConv, Conv2dAgainstTheFormula) {
  const ConvCase cases[] = {
      {ImageLayout::chw, 1, 33, 17, 16, {3, 3, 2, 2, 1, 1}},      // SSCP conv 1 on a mel spectrogram
      {ImageLayout::hwc, 16, 17, 9, 8, {3, 3, 2, 2, 1, 1}},       // SSCP conv 2 on conv 1's channels-last output
      {ImageLayout::chw, 3, 32, 48, 20, {16, 16, 16, 16, 0, 0}},  // patch embedding
      {ImageLayout::hwc, 3, 7, 7, 5, {3, 3, 1, 1, 0, 0}},
      {ImageLayout::chw, 2, 40, 40, 7, {3, 3, 2, 2, 1, 1}},  // more output pixels than one im2col tile
  };
  for (const ConvCase& k : cases) {
    const std::string what =
        std::to_string(k.channels) + "x" + std::to_string(k.height) + "x" + std::to_string(k.width);
    const int64_t n_in = k.channels * k.params.kernel_h * k.params.kernel_w;
    const Floats image = random_floats(k.channels * k.height * k.width, 1, -1, 1, 6);
    const Floats w = random_floats(k.n_out * n_in, 0, -1, 1, 7);
    const std::vector<float> want = conv2d_formula(k, image.data(), w.data());
    std::vector<float> got(want.size());
    conv2d(ctx_, {image.data(), k.layout, k.channels, k.height, k.width}, {WeightFormat::f32, w.data(), k.n_out, n_in},
           k.params, got.data());
    EXPECT_LE(normalized_mse(got.data(), want.data(), static_cast<int64_t>(want.size())), kConvBound) << what;
  }
}

TEST_P(CpuConv, AveragePoolingOfCells) {
  const int64_t height = 12, width = 9, channels = 33, k = 3;
  const Floats x = random_floats(height * width * channels, 1, -1, 1, 8);
  std::vector<float> got((height / k) * (width / k) * channels);
  avg_pool2d(ctx_, x.data(), height, width, channels, k, got.data());
  std::vector<float> want(got.size());
  for (int64_t by = 0; by < height / k; ++by) {
    for (int64_t bx = 0; bx < width / k; ++bx) {
      for (int64_t c = 0; c < channels; ++c) {
        double sum = 0.0;
        for (int64_t dy = 0; dy < k; ++dy) {
          for (int64_t dx = 0; dx < k; ++dx) sum += x.data()[((by * k + dy) * width + bx * k + dx) * channels + c];
        }
        want[(by * (width / k) + bx) * channels + c] = static_cast<float>(sum / (k * k));
      }
    }
  }
  EXPECT_LE(normalized_mse(got.data(), want.data(), static_cast<int64_t>(want.size())), kConvBound);
}

INSTANTIATE_TEST_SUITE_P(All, CpuConv, ::testing::ValuesIn(all_runnable_isas()), testing::isa_test_name);

}  // namespace
}  // namespace hearth::cpu
