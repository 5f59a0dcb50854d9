// libFuzzer harness for the in-memory audio decoder (every libsndfile container, downmix, soxr) and the mel
// front end on whatever it decodes. The duration limit is small so each input stays cheap.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "media/audio_decode.h"
#include "media/mel_spectrogram.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hearth::media::AudioDecodeOptions options;
  options.max_seconds = 5.0;
  hearth::Result<hearth::media::DecodedAudio> audio = hearth::media::decode_audio_memory({data, size}, options);
  if (!audio.ok()) return 0;
  static const hearth::media::MelSpectrogram front_end;
  const hearth::media::LogMel mel = front_end.compute(audio->samples);
  float checksum = 0.0f;
  for (float v : mel.values) checksum += std::isfinite(v) ? 0.0f : 1.0f;
  // Keeps the work above from being optimised away.
  volatile float sink = checksum;
  (void)sink;
  return 0;
}
