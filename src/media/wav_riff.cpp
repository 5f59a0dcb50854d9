#include "media/wav_riff.h"

#include <array>
#include <cstring>

namespace hearth::media {
namespace {

// A hostile file of tiny chunks must not make the walk long.
constexpr int kMaxChunks = 1024;
constexpr uint32_t kUnsetSize = 0xFFFFFFFFu;

uint32_t little_endian_u32(const uint8_t* bytes) {
  return uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 | uint32_t{bytes[3]} << 24;
}

}  // namespace

std::optional<WavDataChunk> find_wav_data_chunk(const ReadAt& read, uint64_t size) {
  std::array<uint8_t, 12> riff{};
  if (size < riff.size() || read(0, riff.data(), riff.size()) != riff.size()) return std::nullopt;
  if (std::memcmp(riff.data(), "RIFF", 4) != 0 || std::memcmp(riff.data() + 8, "WAVE", 4) != 0) return std::nullopt;
  uint64_t offset = riff.size();
  for (int chunk = 0; chunk < kMaxChunks && offset + 8 <= size; ++chunk) {
    std::array<uint8_t, 8> header{};
    if (read(offset, header.data(), header.size()) != header.size()) return std::nullopt;
    const uint64_t length = little_endian_u32(header.data() + 4);
    if (std::memcmp(header.data(), "data", 4) == 0) return WavDataChunk{offset + 8, length};
    offset += 8 + length + (length & 1);  // chunks are padded to an even length
  }
  return std::nullopt;
}

Status check_wav_complete(const ReadAt& read, uint64_t size) {
  const std::optional<WavDataChunk> data = find_wav_data_chunk(read, size);
  if (!data || data->declared_bytes == kUnsetSize) return Status::success();
  const uint64_t present = size - data->offset;
  if (present < data->declared_bytes) {
    return make_error("the WAV file is truncated: its data chunk declares ", data->declared_bytes, " bytes but only ", present,
                      " are present");
  }
  return Status::success();
}

}  // namespace hearth::media
