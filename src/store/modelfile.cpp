#include "store/modelfile.h"

#include <array>
#include <cctype>
#include <cstdint>

#include "store/model_options.h"

namespace hearth::store {
namespace {

using nlohmann::json;

constexpr std::string_view kCommandList =
    "FROM, PARAMETER, TEMPLATE, SYSTEM, MESSAGE, LICENSE, ADAPTER, RENDERER, PARSER or REQUIRES";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Offset of the first byte that is not valid UTF-8 (overlong forms, surrogates and values above U+10FFFF
// are invalid), or npos.
size_t first_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<uint8_t>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    uint32_t minimum = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2, code_point = byte & 0x1F, minimum = 0x80;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3, code_point = byte & 0x0F, minimum = 0x800;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4, code_point = byte & 0x07, minimum = 0x10000;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

// Splits the text into lines (without their '\n'); a final line without '\n' counts too.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lines_(split_lines(text)) {}

  Result<ModelSpec> parse() {
    while (index_ < lines_.size()) {
      const size_t line_number = index_ + 1;
      const std::string_view line = trim_left(trim_right(lines_[index_]));
      if (line.empty() || line.front() == '#') {
        ++index_;
        continue;
      }
      if (Status status = parse_command(line, line_number); !status) {
        return make_error("Modelfile line ", line_number, ": ", status.error());
      }
    }
    if (spec_.from.empty()) return make_error("Modelfile has no FROM line");
    return std::move(spec_);
  }

 private:
  // Reads a word of the allowed characters from the front of `rest`; it must be followed by a blank.
  template <typename Allowed>
  static std::string_view take_word(std::string_view& rest, Allowed allowed) {
    size_t length = 0;
    while (length < rest.size() && allowed(rest[length])) ++length;
    const std::string_view word = rest.substr(0, length);
    rest.remove_prefix(length);
    return word;
  }

  Status parse_command(std::string_view line, size_t line_number) {
    std::string_view rest = line;
    const std::string_view word = take_word(rest, is_letter);
    const std::string command = lowercase(word);
    if (word.empty() || (!rest.empty() && !is_blank(rest.front()))) {
      return make_error("expected a command (", kCommandList, "), got '", line.substr(0, 40), "'");
    }
    if (command == "parameter") return parse_parameter(trim_left(rest));
    if (command == "message") return parse_message(trim_left(rest));

    Result<std::string> value = take_value(trim_left(rest), word);
    if (!value.ok()) return std::move(value).take_error();
    if (command == "from") {
      spec_.from.push_back({std::move(*value), line_number});
    } else if (command == "template") {
      spec_.template_text = std::move(*value);
    } else if (command == "system") {
      spec_.system = std::move(*value);
    } else if (command == "license") {
      spec_.licenses.push_back(std::move(*value));
    } else if (command == "renderer") {
      spec_.renderer = std::move(*value);
    } else if (command == "parser") {
      spec_.parser = std::move(*value);
    } else if (command == "requires") {
      spec_.requires_version = std::move(*value);
    } else if (command == "adapter") {
      return make_error("ADAPTER: adapters (LoRA) are not supported");
    } else if (command == "draft") {
      return make_error("DRAFT: draft models are not supported");
    } else {
      return make_error("unknown command '", word, "' (expected ", kCommandList, ")");
    }
    return Status::success();
  }

  Status parse_parameter(std::string_view rest) {
    const std::string_view name = take_word(rest, [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
    if (name.empty() || rest.empty() || !is_blank(rest.front())) {
      return make_error("PARAMETER needs a name and a value: PARAMETER <name> <value>");
    }
    Result<std::string> value = take_value(trim_left(rest), "PARAMETER");
    if (!value.ok()) return std::move(value).take_error();
    if (is_deprecated_option(name)) {
      spec_.warnings.push_back("parameter '" + std::string(name) + "' is deprecated and ignored");
      return Status::success();
    }
    return add_parameter(spec_.parameters, name, *value);
  }

  Status parse_message(std::string_view rest) {
    const std::string_view role = take_word(rest, is_letter);
    if (role != "system" && role != "user" && role != "assistant") {
      return make_error("MESSAGE role must be system, user or assistant: MESSAGE <role> <content>");
    }
    if (rest.empty() || !is_blank(rest.front())) return make_error("MESSAGE needs content after the role");
    Result<std::string> content = take_value(trim_left(rest), "MESSAGE");
    if (!content.ok()) return std::move(content).take_error();
    if (!spec_.messages) spec_.messages = json::array();
    spec_.messages->push_back({{"role", role}, {"content", std::move(*content)}});
    return Status::success();
  }

  // The value starting at `first` (the rest of the current line). Quoted values may continue on the lines
  // after it; index_ ends up on the line after the value.
  Result<std::string> take_value(std::string_view first, std::string_view command) {
    const size_t opened_on = index_ + 1;
    ++index_;
    if (first.empty()) return make_error(command, " needs a value");
    const std::string_view quote = first.starts_with("\"\"\"") ? "\"\"\"" : first.starts_with('"') ? "\"" : "";
    if (quote.empty()) return std::string(first);

    std::string value;
    std::string_view line = first.substr(quote.size());
    while (true) {
      // Blanks after the closing quote do not count; blanks inside the value (before it) do.
      if (const std::string_view closed = trim_right(line); closed.ends_with(quote)) {
        value.append(closed.substr(0, closed.size() - quote.size()));
        return value;
      }
      value.append(line);
      if (index_ >= lines_.size()) {
        return make_error("the ", quote, " opened on line ", opened_on, " is never closed");
      }
      value.push_back('\n');
      line = lines_[index_];
      if (line.ends_with('\r')) line.remove_suffix(1);
      ++index_;
    }
  }

  std::vector<std::string_view> lines_;
  size_t index_ = 0;
  ModelSpec spec_;
};

}  // namespace

Result<ModelSpec> parse_modelfile(std::string_view text) {
  if (text.size() > kMaxModelfileBytes) return make_error("Modelfile is larger than ", kMaxModelfileBytes, " bytes");
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (const size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    size_t line = 1;
    for (size_t i = 0; i < bad; ++i) line += text[i] == '\n';
    return make_error("Modelfile line ", line, ": text is not valid UTF-8");
  }
  return Parser(text).parse();
}

}  // namespace hearth::store
