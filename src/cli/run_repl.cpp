#include "cli/run_repl.h"

#include <editline/readline.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/media_files.h"
#include "cli/prompt_paths.h"

namespace hearth::cli {
namespace {

constexpr std::string_view kFence = R"(""")";

const char* const kHelp =
    "Available Commands:\n"
    "  /set            Set session variables\n"
    "  /show info      Show details for this model\n"
    "  /clear          Clear session context\n"
    "  /bye            Exit\n"
    "  /?, /help       Help for a command\n"
    "\n"
    "Use \"\"\" to begin a multi-line message.\n"
    "Type the path of an image or audio file (e.g. ./photo.jpg) to attach it to the message.\n";

const char* const kSetHelp =
    "Available Commands:\n"
    "  /set parameter NAME VALUE   Set a parameter (%s)\n"
    "  /set system TEXT            Set the system message\n"
    "  /set think | nothink        Enable or disable thinking\n"
    "  /set hidethinking | showthinking\n"
    "  /set verbose | quiet        Show or hide statistics after each reply\n";

class LineReader {
 public:
  LineReader() : interactive_(isatty(STDIN_FILENO) != 0) {}

  std::optional<std::string> read(const char* prompt) {
    if (!interactive_) {
      std::string line;
      if (!std::getline(std::cin, line)) return std::nullopt;
      return line;
    }
    char* raw = readline(prompt);
    if (!raw) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    if (!line.empty()) add_history(line.c_str());
    return line;
  }

 private:
  bool interactive_;
};

// Reads the rest of a """ block; the text between the fences is the message.
std::optional<std::string> read_multiline(LineReader& reader, std::string first) {
  std::string text = first.substr(kFence.size());
  while (true) {
    if (text.size() >= kFence.size() && text.ends_with(kFence)) {
      text.resize(text.size() - kFence.size());
      return text;
    }
    std::optional<std::string> line = reader.read("... ");
    if (!line) return std::nullopt;
    text += "\n" + *line;
  }
}

void handle_set(RunSession& session, std::istringstream& words) {
  std::string what;
  words >> what;
  RunSettings& settings = session.settings();
  if (what == "parameter") {
    std::string name, value;
    words >> name;
    std::getline(words >> std::ws, value);
    if (name.empty() || value.empty()) {
      std::printf("Usage: /set parameter NAME VALUE\n");
      return;
    }
    if (Status set = set_run_option(settings, name, value); !set) {
      std::printf("error: %s\n", set.error().c_str());
      return;
    }
    if (Status applied = session.apply_settings(); !applied) {
      std::printf("error: %s\n", applied.error().c_str());
      return;
    }
    std::printf("Set parameter '%s' to '%s'\n", name.c_str(), value.c_str());
  } else if (what == "system") {
    std::getline(words >> std::ws, settings.system);
    std::printf("Set system message.\n");
  } else if (what == "think" || what == "nothink") {
    settings.think = what == "think" ? ThinkMode::on : ThinkMode::off;
    std::printf("Set '%s' mode.\n", what.c_str());
  } else if (what == "hidethinking" || what == "showthinking") {
    settings.hide_thinking = what == "hidethinking";
    std::printf("Set '%s' mode.\n", what.c_str());
  } else if (what == "verbose" || what == "quiet") {
    settings.verbose = what == "verbose";
    std::printf("Set '%s' mode.\n", what.c_str());
  } else {
    std::printf(kSetHelp, run_option_names());
  }
}

// The message with the image and audio files it names taken out of the text and read (cli/prompt_paths.h).
Result<std::pair<std::string, std::vector<engine::MediaItem>>> attach_typed_paths(const std::string& line) {
  std::error_code no_cwd;
  const char* home = std::getenv("HOME");
  MessageWithPaths parsed = extract_media_paths(line, {std::filesystem::current_path(no_cwd), home ? home : ""});
  std::vector<engine::MediaItem> attachments;
  for (const std::filesystem::path& path : parsed.files) {
    Result<engine::MediaItem> item = read_media_file(path);
    if (!item) return make_error(item.error());
    std::printf("Added %s '%s'\n", item->kind == engine::MediaKind::image ? "image" : "audio", path.c_str());
    attachments.push_back(std::move(*item));
  }
  return std::pair{std::move(parsed.text), std::move(attachments)};
}

}  // namespace

int run_repl(RunSession& session) {
  LineReader reader;
  while (true) {
    std::optional<std::string> line = reader.read(">>> ");
    if (!line) {
      std::printf("\n");
      return 0;
    }
    if (line->starts_with(kFence)) {
      line = read_multiline(reader, *line);
      if (!line) return 0;
    } else if (line->starts_with("/")) {
      std::istringstream words(*line);
      std::string command;
      words >> command;
      if (command == "/bye" || command == "/exit") return 0;
      if (command == "/clear") {
        session.clear();
        std::printf("Cleared session context\n");
      } else if (command == "/set") {
        handle_set(session, words);
      } else if (command == "/show") {
        std::string what;
        words >> what;
        if (what == "info") {
          session.print_info();
        } else {
          std::printf("Usage: /show info\n");
        }
      } else if (command == "/?" || command == "/help") {
        std::printf("%s", kHelp);
      } else {
        std::printf("Unknown command '%s'. Type /? for help\n", command.c_str());
      }
      continue;
    }
    if (line->find_first_not_of(" \t") == std::string::npos) continue;
    Result<std::pair<std::string, std::vector<engine::MediaItem>>> message = attach_typed_paths(*line);
    if (!message) {
      std::fprintf(stderr, "hearth: error: %s\n", message.error().c_str());
      continue;
    }
    if (Status asked = session.ask(message->first, std::move(message->second)); !asked) {
      std::fprintf(stderr, "hearth: error: %s\n", asked.error().c_str());
    }
  }
}

}  // namespace hearth::cli
