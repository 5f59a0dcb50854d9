#include "cli/command.h"
#include "cli/encode_modes.h"

namespace hearth::cli {

int run_image_encode(const EncodeArgs&) { return fail("encode --image: not implemented yet"); }

}  // namespace hearth::cli
