#pragma once
// Samples → an in-memory WAV file (32-bit float, mono), so that a piece of decoded audio can travel where an
// audio file is expected (an attachment, an upload) without losing precision.
#include <cstdint>
#include <span>
#include <vector>

namespace hearth::media {

std::vector<uint8_t> encode_wav_float(std::span<const float> mono, int sample_rate);

}  // namespace hearth::media
