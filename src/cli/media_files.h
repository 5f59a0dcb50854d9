#pragma once
// Image and audio files attached to a `hearth run` prompt (--image / --audio, or paths typed in the chat).
#include <cstdint>
#include <filesystem>

#include "core/result.h"
#include "engine/media_input.h"

namespace hearth::cli {

// Far above any photo or 30-minute recording; the same cap as a request body of `hearth serve`.
inline constexpr uintmax_t kMaxMediaFileBytes = uintmax_t{256} << 20;

// The file's bytes and kind (from its content); errors say why the file cannot be attached.
Result<engine::MediaItem> read_media_file(const std::filesystem::path& path);

}  // namespace hearth::cli
