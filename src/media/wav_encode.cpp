#include "media/wav_encode.h"

#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace hearth::media {
namespace {

constexpr uint16_t kFormatIeeeFloat = 3;

void put_tag(std::vector<uint8_t>& out, std::string_view tag) { out.insert(out.end(), tag.begin(), tag.end()); }

void put_u16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value));
  out.push_back(static_cast<uint8_t>(value >> 8));
}

void put_u32(std::vector<uint8_t>& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

std::vector<uint8_t> encode_wav_float(std::span<const float> mono, int sample_rate) {
  constexpr uint32_t kHeaderBytes = 44;
  const uint64_t data_bytes = uint64_t{mono.size()} * sizeof(float);
  // RIFF sizes are 32-bit; callers pass windows of seconds, far below this.
  if (data_bytes > std::numeric_limits<uint32_t>::max() - kHeaderBytes) throw std::length_error("WAV data over 4 GiB");
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + data_bytes);
  put_tag(out, "RIFF");
  put_u32(out, static_cast<uint32_t>(kHeaderBytes - 8 + data_bytes));
  put_tag(out, "WAVE");
  put_tag(out, "fmt ");
  put_u32(out, 16);
  put_u16(out, kFormatIeeeFloat);
  put_u16(out, 1);  // channels
  put_u32(out, static_cast<uint32_t>(sample_rate));
  put_u32(out, static_cast<uint32_t>(sample_rate) * sizeof(float));  // bytes per second
  put_u16(out, sizeof(float));                                       // block align
  put_u16(out, 32);                                                  // bits per sample
  put_tag(out, "data");
  put_u32(out, static_cast<uint32_t>(data_bytes));
  const size_t header = out.size();
  out.resize(header + data_bytes);
  static_assert(std::endian::native == std::endian::little, "WAV samples are little-endian");
  if (!mono.empty()) std::memcpy(out.data() + header, mono.data(), data_bytes);
  return out;
}

}  // namespace hearth::media
