// Audio decoding to 16 kHz mono: files of every supported container and sample format written with
// libsndfile in a temp folder, from disk and from memory; resampling keeps a tone's frequency; corrupt,
// truncated, empty and over-long input is refused with a message.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "media/audio_decode.h"
#include "media/audio_resample.h"
#include "support/temp_dir.h"

namespace hearth {
namespace {

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Interleaved frames of a tone on every channel (channel c at amplitude 0.5 / (c + 1)).
std::vector<float> tone(double hz, int rate, int channels, double seconds) {
  const int64_t frames = static_cast<int64_t>(seconds * rate);
  std::vector<float> data(frames * channels);
  for (int64_t i = 0; i < frames; ++i) {
    const double s = std::sin(2.0 * std::numbers::pi * hz * i / rate);
    for (int c = 0; c < channels; ++c) data[i * channels + c] = static_cast<float>(0.5 * s / (c + 1));
  }
  return data;
}

void write_sound(const std::filesystem::path& path, int format, int rate, int channels, const std::vector<float>& data) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  ASSERT_TRUE(sf_format_check(&info)) << "format " << std::hex << format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
  EXPECT_EQ(sf_writef_float(file, data.data(), static_cast<sf_count_t>(data.size() / channels)),
            static_cast<sf_count_t>(data.size() / channels));
  sf_close(file);
}

double bin_power(std::span<const float> window, double hz) {
  double re = 0.0, im = 0.0;
  for (size_t n = 0; n < window.size(); ++n) {
    const double angle = 2.0 * std::numbers::pi * hz * n / media::kSpeechSampleRate;
    re += window[n] * std::cos(angle);
    im -= window[n] * std::sin(angle);
  }
  return re * re + im * im;
}

// Frequency of the strongest DFT component of a quarter second of x, 50 Hz to 7.9 kHz: a 10 Hz scan refined
// in 1 Hz steps.
double dominant_frequency(std::span<const float> x) {
  const std::span<const float> window = x.subspan(x.size() / 4, 4000);
  double best_hz = 0.0, best_power = -1.0;
  const auto scan = [&](double from, double to, double step) {
    for (double hz = from; hz <= to; hz += step) {
      if (const double power = bin_power(window, hz); power > best_power) best_power = power, best_hz = hz;
    }
  };
  scan(50.0, 7900.0, 10.0);
  scan(best_hz - 10.0, best_hz + 10.0, 1.0);
  return best_hz;
}

double rms(std::span<const float> x) {
  double sum = 0.0;
  for (float v : x) sum += double(v) * v;
  return std::sqrt(sum / x.size());
}

struct FormatCase {
  const char* name;
  int format;
  int rate;
  int channels;
  double tolerance;  // on the mean level, for lossy codecs
};

class AudioDecodeFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(AudioDecodeFormats, DecodesToSixteenKilohertzMono) {
  const FormatCase& c = GetParam();
  test::TempDir dir("audio_decode");
  const std::filesystem::path path = dir / (std::string(c.name) + ".audio");
  const double hz = 1000.0;
  write_sound(path, c.format, c.rate, c.channels, tone(hz, c.rate, c.channels, 1.0));
  if (HasFatalFailure()) return;

  for (bool from_memory : {false, true}) {
    Result<media::DecodedAudio> audio = from_memory ? media::decode_audio_memory(read_bytes(path))
                                                    : media::decode_audio_file(path);
    ASSERT_TRUE(audio.ok()) << c.name << ": " << audio.error();
    EXPECT_EQ(audio->source.sample_rate, c.rate);
    EXPECT_EQ(audio->source.channels, c.channels);
    // One second (lossy codecs add priming samples).
    EXPECT_NEAR(static_cast<double>(audio->samples.size()), 16000.0, c.tolerance > 0 ? 2500.0 : 2.0) << c.name;
    EXPECT_NEAR(dominant_frequency(audio->samples), hz, 5.0) << c.name;
    // Channels are averaged: amplitude 0.5·mean(1/(c+1)), RMS of a sine = amplitude/√2.
    double mean_gain = 0.0;
    for (int ch = 0; ch < c.channels; ++ch) mean_gain += 1.0 / (ch + 1);
    mean_gain /= c.channels;
    const std::span<const float> middle(audio->samples.data() + 4000, 8000);
    EXPECT_NEAR(rms(middle), 0.5 * mean_gain / std::sqrt(2.0), std::max(c.tolerance, 0.01)) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Formats, AudioDecodeFormats,
    ::testing::Values(FormatCase{"wav_u8", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 16000, 1, 0.0},
                      FormatCase{"wav_s16", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 0.0},
                      FormatCase{"wav_s24_stereo_44k", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 44100, 2, 0.0},
                      FormatCase{"wav_s32_48k", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 48000, 1, 0.0},
                      FormatCase{"wav_float_8k", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, 0.0},
                      FormatCase{"wav_double_22k", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 22050, 1, 0.0},
                      FormatCase{"wavex_s16_6ch", SF_FORMAT_WAVEX | SF_FORMAT_PCM_16, 48000, 6, 0.0},
                      FormatCase{"flac_s16_stereo", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, 0.0},
                      FormatCase{"ogg_vorbis", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 1, 0.03},
                      FormatCase{"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2, 0.03}),
    [](const ::testing::TestParamInfo<FormatCase>& info) { return std::string(info.param.name); });

TEST(AudioResample, KeepsFrequencyAndLength) {
  for (int rate : {8000, 11025, 22050, 44100, 48000, 96000}) {
    const std::vector<float> input = tone(440.0, rate, 1, 2.0);
    Result<std::vector<float>> output = media::resample_mono(input, rate, 16000);
    ASSERT_TRUE(output.ok()) << output.error();
    EXPECT_NEAR(static_cast<double>(output->size()), 32000.0, 2.0) << rate;
    EXPECT_NEAR(dominant_frequency(*output), 440.0, 5.0) << rate;
  }
}

TEST(AudioResample, EqualRatesPassThrough) {
  const std::vector<float> input = tone(440.0, 16000, 1, 0.1);
  Result<std::vector<float>> output = media::resample_mono(input, 16000, 16000);
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(*output, input);
  EXPECT_FALSE(media::resample_mono(input, 0, 16000).ok());
}

TEST(AudioDecode, RefusesGarbage) {
  const std::vector<uint8_t> noise = {'n', 'o', 't', ' ', 'a', 'u', 'd', 'i', 'o', 0, 1, 2, 3, 4, 5, 6, 7, 8};
  Result<media::DecodedAudio> audio = media::decode_audio_memory(noise);
  ASSERT_FALSE(audio.ok());
  EXPECT_NE(audio.error().find("cannot read audio data"), std::string::npos) << audio.error();
  EXPECT_FALSE(media::decode_audio_memory({}).ok());

  Result<media::DecodedAudio> missing = media::decode_audio_file("/nonexistent/speech.wav");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("/nonexistent/speech.wav"), std::string::npos) << missing.error();
}

TEST(AudioDecode, RefusesTruncatedFiles) {
  test::TempDir dir("audio_truncated");
  for (int format : {SF_FORMAT_WAV | SF_FORMAT_PCM_16, SF_FORMAT_FLAC | SF_FORMAT_PCM_16}) {
    const std::filesystem::path path = dir / "full.audio";
    write_sound(path, format, 16000, 1, tone(440.0, 16000, 1, 1.0));
    const std::vector<uint8_t> bytes = read_bytes(path);
    // Cut inside the header: nothing can be decoded.
    for (size_t keep : {size_t{4}, size_t{12}, size_t{30}}) {
      Result<media::DecodedAudio> audio = media::decode_audio_memory(std::span(bytes).first(keep));
      EXPECT_FALSE(audio.ok()) << "format " << std::hex << format << " cut at " << std::dec << keep;
    }
  }
}

// libsndfile reads a WAV cut inside its data chunk as a shorter file; the decoder compares the size the
// header declares with the bytes present and refuses it, from memory and from disk.
TEST(AudioDecode, RefusesWavTruncatedInsideItsData) {
  test::TempDir dir("audio_truncated_data");
  write_sound(dir / "full.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, tone(440.0, 16000, 1, 1.0));
  const std::vector<uint8_t> bytes = read_bytes(dir / "full.wav");
  ASSERT_TRUE(media::decode_audio_memory(bytes).ok());
  const std::span<const uint8_t> cut = std::span(bytes).first(bytes.size() / 2);
  Result<media::DecodedAudio> from_memory = media::decode_audio_memory(cut);
  ASSERT_FALSE(from_memory.ok());
  EXPECT_NE(from_memory.error().find("truncated"), std::string::npos) << from_memory.error();
  EXPECT_NE(from_memory.error().find("declares 32000 bytes"), std::string::npos) << from_memory.error();
  std::ofstream(dir / "cut.wav", std::ios::binary).write(reinterpret_cast<const char*>(cut.data()), static_cast<std::streamsize>(cut.size()));
  Result<media::DecodedAudio> from_file = media::decode_audio_file(dir / "cut.wav");
  ASSERT_FALSE(from_file.ok());
  EXPECT_NE(from_file.error().find("truncated"), std::string::npos) << from_file.error();
  // A streaming writer's unset size (0xFFFFFFFF) is not a truncation.
  std::vector<uint8_t> streamed = bytes;
  ASSERT_EQ(std::string(streamed.begin() + 36, streamed.begin() + 40), "data");
  std::fill_n(streamed.begin() + 40, 4, uint8_t{0xff});
  EXPECT_TRUE(media::decode_audio_memory(streamed).ok());
}

TEST(AudioDecode, RefusesEmptyAudio) {
  test::TempDir dir("audio_empty");
  write_sound(dir / "empty.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, {});
  Result<media::DecodedAudio> audio = media::decode_audio_file(dir / "empty.wav");
  ASSERT_FALSE(audio.ok());
  EXPECT_NE(audio.error().find("no audio samples"), std::string::npos) << audio.error();
}

TEST(AudioDecode, EnforcesTheDurationLimitFromTheHeader) {
  test::TempDir dir("audio_limit");
  write_sound(dir / "three_seconds.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, tone(440.0, 16000, 1, 3.0));
  media::AudioDecodeOptions options;
  options.max_seconds = 2.0;
  Result<media::DecodedAudio> audio = media::decode_audio_file(dir / "three_seconds.wav", options);
  ASSERT_FALSE(audio.ok());
  EXPECT_NE(audio.error().find("limit is 2 s"), std::string::npos) << audio.error();
  options.max_seconds = 3.5;
  EXPECT_TRUE(media::decode_audio_file(dir / "three_seconds.wav", options).ok());
}

// A WAV header that claims a huge data chunk must not make the decoder allocate or read beyond the bytes.
TEST(AudioDecode, HostileHeaderLengthIsBounded) {
  test::TempDir dir("audio_hostile");
  write_sound(dir / "short.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, tone(440.0, 16000, 1, 0.1));
  std::vector<uint8_t> bytes = read_bytes(dir / "short.wav");
  ASSERT_GT(bytes.size(), 44u);
  // RIFF size and data size fields of the canonical 44-byte header.
  for (size_t offset : {size_t{4}, size_t{40}}) std::fill_n(bytes.begin() + offset, 4, uint8_t{0xff});
  Result<media::DecodedAudio> audio = media::decode_audio_memory(bytes);
  if (audio.ok()) {
    EXPECT_LE(audio->samples.size(), 1700u);
  }
}

}  // namespace
}  // namespace hearth
