#pragma once
// Paths typed into `hearth run`'s chat, as Ollama's REPL reads them: a word of the message that names an
// existing image or audio file (by its extension: jpg, jpeg, png, webp, gif, bmp, wav, mp3, flac, ogg) is
// taken out of the text, to be attached to the message. A path may be absolute, start with ~/ or ./, or be
// relative to the working directory; it may be quoted ('…' or "…") or have its spaces escaped (\ ), and
// punctuation right after it (a comma, a question mark) stays text. A word naming no existing file stays text.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::cli {

struct PathContext {
  std::filesystem::path working_dir;  // relative paths start here
  std::filesystem::path home;         // what ~/ stands for; empty: ~/ is not expanded
};

struct MessageWithPaths {
  std::string text;                          // the message without the paths (and the space before each)
  std::vector<std::filesystem::path> files;  // the files named, in the order they appear
};

MessageWithPaths extract_media_paths(std::string_view message, const PathContext& context);

}  // namespace hearth::cli
