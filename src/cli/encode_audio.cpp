// `hearth encode MODEL --audio FILE`: decode → log-mel → Gemma 4 audio encoder; prints the soft tokens (and
// with --mel the features of every 30 s chunk), the conformance interface of spec/gemma4.md §6.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/encode_modes.h"
#include "gguf/gguf_file.h"
#include "media/audio_decode.h"
#include "models/gemma4/audio_encoder.h"

namespace hearth::cli {
namespace {

using nlohmann::json;
namespace gemma4 = models::gemma4;

// The soft tokens replace text embeddings, so their width must be the text model's.
Status check_text_width(const std::string& model_path, int64_t soft_token_width) {
  Result<std::unique_ptr<gguf::GgufFile>> model = gguf::GgufFile::open(model_path);
  if (!model) return make_error("cannot open model '", model_path, "': ", model.error());
  Result<std::string> arch = (*model)->get_string("general.architecture");
  if (!arch) return make_error("model '", model_path, "': ", arch.error());
  const std::string key = *arch + ".embedding_length";
  if (!(*model)->find(key)) return Status::success();  // a projector given as the model: nothing to compare
  Result<uint64_t> width = (*model)->get_uint(key);
  if (!width) return make_error("model '", model_path, "': ", width.error());
  if (static_cast<int64_t>(*width) != soft_token_width) {
    return make_error("the audio encoder makes tokens of width ", soft_token_width, " but the model's '", key, "' is ", *width);
  }
  return Status::success();
}

json mel_json(const media::LogMel& mel) {
  return {{"n_mel", mel.n_mel}, {"n_frames", mel.n_frames}, {"values", mel.values}};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The encoder's speed against the audio's length, and the log-mel front end's share of it (computed again on
// its own, so the share is measured rather than inferred).
void print_timing(const gemma4::AudioEncoder& encoder, std::span<const float> samples, double encode_seconds) {
  const auto started = std::chrono::steady_clock::now();
  for (std::span<const float> chunk : media::split_audio_chunks(samples)) static_cast<void>(encoder.front_end().compute(chunk));
  const double mel_seconds = seconds_since(started);
  const double audio_seconds = static_cast<double>(samples.size()) / media::kSpeechSampleRate;
  std::printf("encode     %.3f s (real-time factor %.4f); log-mel %.2f ms, %.2f%% of it\n", encode_seconds,
              encode_seconds / audio_seconds, mel_seconds * 1e3, 100.0 * mel_seconds / encode_seconds);
}

void print_summary(const media::DecodedAudio& audio, const gemma4::AudioEmbeddings& embeddings) {
  double sum_squares = 0.0;
  for (float v : embeddings.values) sum_squares += double(v) * v;
  std::printf("audio      %zu samples at 16 kHz (%.2f s; source %d Hz, %d channel%s)\n", audio.samples.size(),
              audio.samples.size() / 16000.0, audio.source.sample_rate, audio.source.channels,
              audio.source.channels == 1 ? "" : "s");
  std::printf("tokens     %lld × %lld\n", static_cast<long long>(embeddings.n_tokens), static_cast<long long>(embeddings.n_embd));
  std::printf("L2         %.6g\n", std::sqrt(sum_squares));
  std::printf("first      ");
  for (size_t i = 0; i < std::min<size_t>(8, embeddings.values.size()); ++i) std::printf("%.6g ", embeddings.values[i]);
  std::printf("\n");
}

}  // namespace

int run_audio_encode(const EncodeArgs& args) {
  const std::string& tower_path = args.mmproj.empty() ? args.model : args.mmproj;
  Result<std::unique_ptr<gemma4::AudioEncoder>> encoder = gemma4::AudioEncoder::load(tower_path);
  if (!encoder) return fail("encode: " + encoder.error());
  if (Status width = check_text_width(args.model, (*encoder)->n_embd()); !width) return fail("encode: " + width.error());

  Result<media::DecodedAudio> audio = media::decode_audio_file(args.audio);
  if (!audio) return fail("encode: " + audio.error());

  gemma4::AudioEncodeOptions options;
  options.numerics = args.numerics == "f32" ? cpu::LinearNumerics::f32_upcast : cpu::LinearNumerics::as_stored;
  const auto started = std::chrono::steady_clock::now();
  Result<gemma4::AudioEmbeddings> embeddings = gemma4::encode_audio(**encoder, audio->samples, options);
  const double encode_seconds = seconds_since(started);
  if (!embeddings) return fail("encode: " + embeddings.error());

  if (!args.json) {
    print_summary(*audio, *embeddings);
    print_timing(**encoder, audio->samples, encode_seconds);
    return 0;
  }
  json out = {{"n_tokens", embeddings->n_tokens}, {"dim", embeddings->n_embd}, {"values", embeddings->values}};
  if (args.mel) {
    json chunks = json::array();
    for (std::span<const float> chunk : media::split_audio_chunks(audio->samples)) {
      chunks.push_back(mel_json((*encoder)->front_end().compute(chunk)));
    }
    // "mel" is the first chunk's (all of a clip up to 30 s); "mel_chunks" lists every chunk.
    out["mel"] = chunks.empty() ? mel_json({}) : chunks.front();
    out["mel_chunks"] = std::move(chunks);
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace hearth::cli
