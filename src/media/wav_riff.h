#pragma once
// The RIFF/WAVE chunk walk that libsndfile does not report on: a WAV cut short inside its data chunk opens
// and decodes without error (libsndfile reads what is there), so the decoder compares the data size the
// header declares with the bytes the file actually holds.
#include <cstdint>
#include <functional>
#include <optional>

#include "core/result.h"

namespace hearth::media {

struct WavDataChunk {
  uint64_t offset = 0;          // of the first sample byte
  uint64_t declared_bytes = 0;  // as the chunk header says
};

// Copies up to `count` bytes at `offset` into `out`; returns how many it copied.
using ReadAt = std::function<size_t(uint64_t offset, uint8_t* out, size_t count)>;

// The data chunk of a RIFF/WAVE file of `size` bytes; nullopt when the bytes are not RIFF/WAVE or no data
// chunk header lies within them.
std::optional<WavDataChunk> find_wav_data_chunk(const ReadAt& read, uint64_t size);

// An error when the bytes are a WAV file whose data chunk declares more bytes than follow its start.
// A size left unset by a streaming writer (0xFFFFFFFF; libsndfile then reads to the end) is accepted.
Status check_wav_complete(const ReadAt& read, uint64_t size);

}  // namespace hearth::media
