#include "cli/prompt_paths.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace hearth::cli {
namespace {

namespace fs = std::filesystem;

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool has_media_extension(std::string_view path) {
  static constexpr std::array<std::string_view, 10> kExtensions = {".jpg", ".jpeg", ".png", ".webp", ".gif",
                                                                   ".bmp", ".wav",  ".mp3", ".flac", ".ogg"};
  std::string lower(path);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kExtensions.begin(), kExtensions.end(), [&](std::string_view ext) { return lower.ends_with(ext); });
}

// One word of the message: its extent in the message and the path it spells (quotes and escapes undone).
struct Word {
  size_t end = 0;       // one past the last character that belongs to the path
  std::string path;
};

Word read_word(std::string_view message, size_t start) {
  const char first = message[start];
  if (first == '\'' || first == '"') {
    const size_t close = message.find(first, start + 1);
    if (close != std::string_view::npos) return {close + 1, std::string(message.substr(start + 1, close - start - 1))};
  }
  Word word{start, {}};
  while (word.end < message.size() && !is_space(message[word.end])) {
    if (message[word.end] == '\\' && word.end + 1 < message.size() && message[word.end + 1] == ' ') {
      word.path += ' ';
      word.end += 2;
    } else {
      word.path += message[word.end++];
    }
  }
  // Sentence punctuation after an unquoted path is not part of it.
  constexpr std::string_view kTrailing = ",.;:!?)";
  while (!word.path.empty() && kTrailing.find(word.path.back()) != std::string_view::npos && !has_media_extension(word.path)) {
    word.path.pop_back();
    --word.end;
  }
  return word;
}

// The file `path` names, when it is a media file that exists.
std::optional<fs::path> existing_media_file(const std::string& path, const PathContext& context) {
  if (path.empty() || !has_media_extension(path)) return std::nullopt;
  fs::path resolved;
  if (path.starts_with("~/")) {
    if (context.home.empty()) return std::nullopt;
    resolved = context.home / path.substr(2);
  } else {
    resolved = fs::path(path).is_absolute() ? fs::path(path) : context.working_dir / path;
  }
  std::error_code error;
  if (!fs::exists(resolved, error) || fs::is_directory(resolved, error)) return std::nullopt;
  return resolved;
}

}  // namespace

MessageWithPaths extract_media_paths(std::string_view message, const PathContext& context) {
  MessageWithPaths out;
  std::string pending_space;  // the whitespace before the next word: dropped with a path, and at either end
  size_t i = 0;
  while (i < message.size()) {
    if (is_space(message[i])) {
      pending_space += message[i++];
      continue;
    }
    const Word word = read_word(message, i);
    if (std::optional<fs::path> file = existing_media_file(word.path, context)) {
      out.files.push_back(std::move(*file));
      pending_space.clear();
      i = word.end;
      continue;
    }
    if (!out.text.empty()) out.text += pending_space;
    pending_space.clear();
    // Not a path: the word stays as typed, up to the next space.
    size_t end = std::max(word.end, i + 1);
    while (end < message.size() && !is_space(message[end])) ++end;
    out.text += message.substr(i, end - i);
    i = end;
  }
  return out;
}

}  // namespace hearth::cli
