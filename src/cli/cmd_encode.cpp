// `hearth encode`: the conformance interface of the image and audio encoders (issues 6 and 7).
#include <memory>

#include "cli/command.h"
#include "cli/encode_modes.h"

namespace hearth::cli {

Command register_encode(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("encode", "Run a projector's audio or image encoder and print its soft tokens");
  auto args = std::make_shared<EncodeArgs>();
  cmd->add_option("model", args->model, "GGUF text model")->required();
  cmd->add_option("--mmproj", args->mmproj, "Projector GGUF (default: the tensors embedded in the model file)");
  auto* audio = cmd->add_option("--audio", args->audio, "Audio file to encode");
  auto* image = cmd->add_option("--image", args->image, "Image file to encode");
  audio->excludes(image);
  cmd->add_flag("--mel", args->mel, "With --audio: also print the log-mel frames")->needs(audio);
  cmd->add_flag("--preprocessed", args->preprocessed, "With --image: also print the resized image")->needs(image);
  cmd->add_option("--image-tokens", args->image_tokens, "With --image: most soft tokens (70, 140, 280, 560, 1120; default 560)")
      ->check(CLI::IsMember({70, 140, 280, 560, 1120}))
      ->needs(image);
  cmd->add_option("--numerics", args->numerics, "as_stored: llama.cpp's CPU numerics; f32: exact f32 weights")
      ->check(CLI::IsMember({"as_stored", "f32"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON");
  return {cmd, [args, audio] {
            if (args->audio.empty() && args->image.empty()) return fail("encode: give --audio FILE or --image FILE");
            return audio->count() > 0 ? run_audio_encode(*args) : run_image_encode(*args);
          }};
}

}  // namespace hearth::cli
