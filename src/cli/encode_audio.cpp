#include "cli/command.h"
#include "cli/encode_modes.h"

namespace hearth::cli {

int run_audio_encode(const EncodeArgs&) { return fail("encode --audio: not implemented yet"); }

}  // namespace hearth::cli
