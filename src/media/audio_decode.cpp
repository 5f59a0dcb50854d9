#include "media/audio_decode.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include "media/audio_resample.h"
#include "media/wav_riff.h"

namespace hearth::media {
namespace {

// Rates outside this range are either not audio or hostile headers.
constexpr int kMinSampleRate = 1000;
constexpr int kMaxSampleRate = 768000;
constexpr int kMaxChannels = 256;
constexpr sf_count_t kBlockFrames = 4096;

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

// libsndfile's virtual I/O over a byte span.
struct MemoryReader {
  std::span<const uint8_t> bytes;
  sf_count_t position = 0;

  static sf_count_t length(void* self) { return static_cast<sf_count_t>(static_cast<MemoryReader*>(self)->bytes.size()); }
  static sf_count_t seek(sf_count_t offset, int whence, void* self) {
    auto* reader = static_cast<MemoryReader*>(self);
    const sf_count_t size = static_cast<sf_count_t>(reader->bytes.size());
    sf_count_t base = 0;
    if (whence == SEEK_CUR) base = reader->position;
    else if (whence == SEEK_END) base = size;
    else if (whence != SEEK_SET) return -1;
    // Overflow-safe: base and size are non-negative and far below the limits of sf_count_t.
    if (offset < -base || offset > size - base) return -1;
    reader->position = base + offset;
    return reader->position;
  }
  static sf_count_t read(void* destination, sf_count_t count, void* self) {
    auto* reader = static_cast<MemoryReader*>(self);
    const sf_count_t left = static_cast<sf_count_t>(reader->bytes.size()) - reader->position;
    const sf_count_t n = std::clamp<sf_count_t>(count, 0, std::max<sf_count_t>(left, 0));
    if (n > 0) std::memcpy(destination, reader->bytes.data() + reader->position, static_cast<size_t>(n));
    reader->position += n;
    return n;
  }
  static sf_count_t write(const void*, sf_count_t, void*) { return 0; }
  static sf_count_t tell(void* self) { return static_cast<MemoryReader*>(self)->position; }
};

Status check_header(const SF_INFO& info, const AudioDecodeOptions& options) {
  if (info.channels < 1 || info.channels > kMaxChannels) {
    return make_error("unsupported channel count ", info.channels, " (1 to ", kMaxChannels, ")");
  }
  if (info.samplerate < kMinSampleRate || info.samplerate > kMaxSampleRate) {
    return make_error("unsupported sample rate ", info.samplerate, " Hz (", kMinSampleRate, " to ", kMaxSampleRate, ")");
  }
  if (info.frames <= 0) return make_error("the file holds no audio samples");
  const double seconds = static_cast<double>(info.frames) / info.samplerate;
  if (seconds > options.max_seconds) {
    return make_error("the audio is ", seconds, " s long; the limit is ", options.max_seconds, " s");
  }
  return Status::success();
}

// Reads block by block, averaging the channels and resampling as it goes, so memory stays proportional to
// the 16 kHz output.
Result<DecodedAudio> decode_open(SNDFILE* file, const SF_INFO& info, const AudioDecodeOptions& options) {
  if (Status header = check_header(info, options); !header) return Error{header.error()};
  const AudioInfo source{info.frames, info.samplerate, info.channels};
  Result<StreamResampler> resampler = StreamResampler::create(info.samplerate, kSpeechSampleRate);
  if (!resampler) return std::move(resampler).take_error();

  // The header's length is an estimate for some formats; the limit holds for what is actually decoded.
  const double max_frames = options.max_seconds * info.samplerate;
  DecodedAudio decoded{source, {}};
  decoded.samples.reserve(static_cast<size_t>(std::ceil(source.seconds() * kSpeechSampleRate)) + 64);
  std::vector<float> interleaved(static_cast<size_t>(kBlockFrames * info.channels));
  std::vector<float> mono(static_cast<size_t>(kBlockFrames));
  int64_t frames_read = 0;
  for (;;) {
    const sf_count_t n = sf_readf_float(file, interleaved.data(), kBlockFrames);
    if (n <= 0) break;
    frames_read += n;
    if (static_cast<double>(frames_read) > max_frames) {
      return make_error("the audio is longer than the limit of ", options.max_seconds, " s");
    }
    const float inverse_channels = 1.0f / static_cast<float>(info.channels);
    for (sf_count_t i = 0; i < n; ++i) {
      const float* frame = interleaved.data() + i * info.channels;
      float sum = 0.0f;
      for (int c = 0; c < info.channels; ++c) sum += frame[c];
      mono[i] = info.channels == 1 ? sum : sum * inverse_channels;
    }
    if (Status pushed = resampler->push({mono.data(), static_cast<size_t>(n)}, decoded.samples); !pushed) {
      return Error{pushed.error()};
    }
  }
  if (sf_error(file) != SF_ERR_NO_ERROR) return make_error("decoding failed: ", sf_strerror(file));
  if (frames_read == 0) return make_error("the file holds no decodable audio samples");
  if (Status finished = resampler->finish(decoded.samples); !finished) return Error{finished.error()};
  decoded.source.frames = frames_read;
  return decoded;
}

// libsndfile decodes a WAV cut inside its data chunk without complaint, as if it were shorter.
Status check_wav_file_complete(const std::filesystem::path& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return Status::success();  // not a regular file: sf_open reports what is wrong
  std::ifstream in(path, std::ios::binary);
  const ReadAt read = [&in](uint64_t offset, uint8_t* out, size_t count) -> size_t {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(count));
    return static_cast<size_t>(in.gcount());
  };
  return check_wav_complete(read, size);
}

Status check_wav_memory_complete(std::span<const uint8_t> bytes) {
  const ReadAt read = [bytes](uint64_t offset, uint8_t* out, size_t count) -> size_t {
    if (offset >= bytes.size()) return 0;
    const size_t n = std::min<uint64_t>(count, bytes.size() - offset);
    std::memcpy(out, bytes.data() + offset, n);
    return n;
  };
  return check_wav_complete(read, bytes.size());
}

}  // namespace

Result<DecodedAudio> decode_audio_file(const std::filesystem::path& path, const AudioDecodeOptions& options) {
  if (Status complete = check_wav_file_complete(path); !complete) return make_error("audio file '", path.string(), "': ", complete.error());
  SF_INFO info{};
  SndfileHandle file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) return make_error("cannot read audio file '", path.string(), "': ", sf_strerror(nullptr));
  Result<DecodedAudio> decoded = decode_open(file.get(), info, options);
  if (!decoded) return make_error("audio file '", path.string(), "': ", decoded.error());
  return decoded;
}

Result<DecodedAudio> decode_audio_memory(std::span<const uint8_t> bytes, const AudioDecodeOptions& options) {
  if (Status complete = check_wav_memory_complete(bytes); !complete) return make_error("audio data: ", complete.error());
  MemoryReader reader{bytes, 0};
  SF_VIRTUAL_IO io{&MemoryReader::length, &MemoryReader::seek, &MemoryReader::read, &MemoryReader::write,
                   &MemoryReader::tell};
  SF_INFO info{};
  SndfileHandle file(sf_open_virtual(&io, SFM_READ, &info, &reader));
  if (!file) return make_error("cannot read audio data: ", sf_strerror(nullptr));
  Result<DecodedAudio> decoded = decode_open(file.get(), info, options);
  if (!decoded) return make_error("audio data: ", decoded.error());
  return decoded;
}

}  // namespace hearth::media
