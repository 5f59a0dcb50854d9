#pragma once
// `hearth encode` runs one media encoder of a Gemma 4 projector and prints its output; each modality has
// its own file (encode_audio.cpp, encode_image.cpp) behind this interface.
#include <string>

namespace hearth::cli {

struct EncodeArgs {
  std::string model;   // the text model GGUF (its embedded projector is used when --mmproj is absent)
  std::string mmproj;  // projector GGUF
  std::string audio;   // audio file to encode
  std::string image;   // image file to encode
  bool mel = false;           // with --audio: also print the log-mel frames
  bool preprocessed = false;  // with --image: also print the resized image
  int image_tokens = 0;       // with --image: most soft tokens (0 = the default, vision_preprocess.h)
  std::string numerics = "as_stored";
  bool json = false;
};

int run_audio_encode(const EncodeArgs& args);
int run_image_encode(const EncodeArgs& args);

}  // namespace hearth::cli
