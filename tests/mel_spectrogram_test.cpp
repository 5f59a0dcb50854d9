// The Gemma 4 log-mel front end: the oracle's dump of speech16k.wav (fixtures/README.md), frame counting,
// chunking, and concurrent use of one front end.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <thread>

#include "media/audio_decode.h"
#include "media/mel_spectrogram.h"
#include "support/fixtures.h"

namespace hearth {
namespace {

using nlohmann::json;

std::vector<float> read_f32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

std::vector<float> sine(double hz, int64_t n, double amplitude = 0.5) {
  std::vector<float> s(n);
  for (int64_t i = 0; i < n; ++i) s[i] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * hz * i / 16000.0));
  return s;
}

TEST(MelSpectrogram, MatchesOracleOnSpeech) {
  HEARTH_REQUIRE_FIXTURES();
  const json golden = json::parse(std::ifstream(test::fixture("gemma4-mmproj-tiny.golden.json")));
  for (const char* variant : {"as_stored", "f32_upcast"}) {
    const json& audio = golden["runs"][variant]["audio"];
    Result<media::DecodedAudio> pcm = media::decode_audio_file(test::fixture(audio["input_file"].get<std::string>()));
    ASSERT_TRUE(pcm.ok()) << pcm.error();
    ASSERT_EQ(static_cast<int64_t>(pcm->samples.size()), audio["pcm"]["n_samples"].get<int64_t>());
    const std::vector<float> first = audio["pcm"]["first"].get<std::vector<float>>();
    for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(pcm->samples[i], first[i]) << "sample " << i;

    const media::MelSpectrogram front_end;
    const std::vector<std::span<const float>> chunks = media::split_audio_chunks(pcm->samples);
    ASSERT_EQ(chunks.size(), audio["mel_chunks"].size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      const json& expected = audio["mel_chunks"][c];
      const media::LogMel mel = front_end.compute(chunks[c]);
      ASSERT_EQ(mel.n_mel, expected["n_mel"].get<int64_t>());
      ASSERT_EQ(mel.n_frames, expected["n_frames"].get<int64_t>());
      const std::vector<float> want = read_f32(test::fixture(expected["data_file"].get<std::string>()));
      ASSERT_EQ(want.size(), mel.values.size());
      double worst = 0.0;
      for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(double(want[i]) - mel.values[i]));
      EXPECT_LE(worst, 1e-4) << variant << " chunk " << c;
    }
  }
}

// Both FFTs against a double-precision DFT of a random frame.
TEST(MelSpectrogram, MagnitudeSpectrumMatchesDft) {
  std::vector<float> frame(512);
  uint32_t state = 12345;
  for (float& v : frame) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) - 0.5f;
  }
  std::vector<double> exact(257);
  double peak = 0.0;
  for (int k = 0; k < 257; ++k) {
    std::complex<double> sum = 0.0;
    for (int n = 0; n < 512; ++n) sum += double(frame[n]) * std::polar(1.0, -2.0 * std::numbers::pi * k * n / 512.0);
    exact[k] = std::abs(sum);
    peak = std::max(peak, exact[k]);
  }
  for (media::MelFft kind : {media::MelFft::oracle, media::MelFft::fftw}) {
    const media::MagnitudeSpectrum spectrum(512, kind);
    media::MagnitudeSpectrum::Scratch scratch;
    std::vector<float> magnitude(257);
    spectrum.compute(frame, magnitude, scratch);
    for (int k = 0; k < 257; ++k) EXPECT_NEAR(magnitude[k], exact[k], 1e-5 * peak) << "bin " << k;
  }
}

// The accurate FFT stays close to the oracle's features, but not within the 1e-4 the oracle FFT reaches.
TEST(MelSpectrogram, FftwFrontEndIsCloseToTheOracle) {
  HEARTH_REQUIRE_FIXTURES();
  Result<media::DecodedAudio> pcm = media::decode_audio_file(test::fixture("speech16k.wav"));
  ASSERT_TRUE(pcm.ok()) << pcm.error();
  const media::LogMel oracle = media::MelSpectrogram().compute(pcm->samples);
  media::MelParams params;
  params.fft = media::MelFft::fftw;
  const media::LogMel accurate = media::MelSpectrogram(params).compute(pcm->samples);
  ASSERT_EQ(accurate.values.size(), oracle.values.size());
  for (size_t i = 0; i < oracle.values.size(); ++i) EXPECT_NEAR(accurate.values[i], oracle.values[i], 1e-3);
}

TEST(MelSpectrogram, FrameCountFollowsTheOracle) {
  const media::MelSpectrogram front_end;
  EXPECT_EQ(front_end.frame_count(0), 0);
  EXPECT_EQ(front_end.frame_count(1), 0);
  EXPECT_EQ(front_end.frame_count(2), 1);    // truncating division: short clips still give a frame
  EXPECT_EQ(front_end.frame_count(160), 1);
  EXPECT_EQ(front_end.frame_count(161), 1);
  EXPECT_EQ(front_end.frame_count(320), 1);
  EXPECT_EQ(front_end.frame_count(321), 2);
  EXPECT_EQ(front_end.frame_count(21842), 136);
  EXPECT_EQ(front_end.frame_count(480000), 2999);  // 750 soft tokens
  EXPECT_EQ(front_end.compute(std::vector<float>(100, 0.1f)).n_frames, 1);
}

TEST(MelSpectrogram, SilenceSitsOnTheFloor) {
  const media::MelSpectrogram front_end;
  const media::LogMel mel = front_end.compute(std::vector<float>(1600, 0.0f));
  ASSERT_EQ(mel.n_frames, 9);
  for (float v : mel.values) EXPECT_FLOAT_EQ(v, std::log(1e-3f));
}

// A tone's energy lands in the mel band that covers its frequency.
TEST(MelSpectrogram, ToneLandsInItsBand) {
  const media::MelSpectrogram front_end;
  const auto hz_to_mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  for (double hz : {300.0, 1000.0, 3000.0, 6000.0}) {
    const media::LogMel mel = front_end.compute(sine(hz, 8000));
    const int64_t frame = mel.n_frames / 2;
    int64_t best = 0;
    for (int64_t m = 1; m < mel.n_mel; ++m) {
      if (mel.at(m, frame) > mel.at(best, frame)) best = m;
    }
    const double band = hz_to_mel(hz) / hz_to_mel(8000.0) * (mel.n_mel + 1) - 1;  // centre index of hz
    EXPECT_NEAR(static_cast<double>(best), band, 1.0) << hz << " Hz";
  }
}

TEST(MelSpectrogram, ConcurrentUseGivesIdenticalResults) {
  const media::MelSpectrogram front_end;
  const std::vector<float> signal = sine(440.0, 32000);
  const media::LogMel reference = front_end.compute(signal);
  std::vector<media::LogMel> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) threads.emplace_back([&] { result = front_end.compute(signal); });
  for (auto& thread : threads) thread.join();
  for (const media::LogMel& result : results) EXPECT_EQ(result.values, reference.values);
}

TEST(MelSpectrogram, SplitsIntoThirtySecondChunks) {
  const std::vector<float> pcm(2 * media::kAudioChunkSamples + 100);
  const auto chunks = media::split_audio_chunks(pcm);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), static_cast<size_t>(media::kAudioChunkSamples));
  EXPECT_EQ(chunks[1].data(), pcm.data() + media::kAudioChunkSamples);
  EXPECT_EQ(chunks[2].size(), 100u);
  EXPECT_TRUE(media::split_audio_chunks({}).empty());
}

}  // namespace
}  // namespace hearth
