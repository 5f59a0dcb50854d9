#include "store/model_name.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hearth::store {
namespace {

enum class Part { host, name_space, model, tag };

constexpr size_t kMaxHostLength = 350;
constexpr size_t kMaxPartLength = 80;

const char* part_label(Part part) {
  switch (part) {
    case Part::host: return "host";
    case Part::name_space: return "namespace";
    case Part::model: return "model";
    case Part::tag: return "tag";
  }
  return "part";
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool allowed_after_first(Part part, char c) {
  if (is_word_char(c) || c == '-') return true;
  if (c == '.') return part != Part::name_space;
  return c == ':' && part == Part::host;  // host:port
}

Status check_part(Part part, std::string_view text) {
  const size_t limit = part == Part::host ? kMaxHostLength : kMaxPartLength;
  if (text.empty()) return make_error("the ", part_label(part), " is empty");
  if (text.size() > limit) return make_error("the ", part_label(part), " is longer than ", limit, " characters");
  if (!is_word_char(text.front())) {
    return make_error("the ", part_label(part), " must start with a letter, digit or '_'");
  }
  for (char c : text) {
    if (!allowed_after_first(part, c)) {
      return make_error("the ", part_label(part), " may not contain '", std::string(1, c),
                        "' (allowed: letters, digits, '_', '-'", part == Part::name_space ? "" : ", '.'",
                        part == Part::host ? ", ':'" : "", ")");
    }
  }
  return Status::success();
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::vector<std::string_view> split_slashes(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t slash = text.find('/'); slash != std::string_view::npos; slash = text.find('/', start)) {
    parts.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

std::string ModelName::full() const { return host + "/" + name_space + "/" + model + ":" + tag; }

std::string ModelName::display() const {
  const bool default_host = equal_ignoring_case(host, kDefaultHost);
  const bool default_namespace = equal_ignoring_case(name_space, kDefaultNamespace);
  std::string shown;
  if (!default_host) shown = host + "/" + name_space + "/";
  else if (!default_namespace) shown = name_space + "/";
  return shown + model + ":" + tag;
}

std::filesystem::path ModelName::manifest_path() const {
  return std::filesystem::path(host) / name_space / model / tag;
}

bool ModelName::same_as(const ModelName& other) const {
  return equal_ignoring_case(host, other.host) && equal_ignoring_case(name_space, other.name_space) &&
         equal_ignoring_case(model, other.model) && equal_ignoring_case(tag, other.tag);
}

Result<ModelName> parse_model_name(std::string_view text) {
  const auto invalid = [&](const std::string& why) {
    return make_error("invalid model name '", text, "': ", why);
  };
  if (text.empty()) return invalid("the name is empty");
  if (text.find('@') != std::string_view::npos) return invalid("digest references (@sha256:...) are not supported");

  const std::vector<std::string_view> slashes = split_slashes(text);
  if (slashes.size() > 3) return invalid("expected [host/][namespace/]model[:tag]");

  ModelName name{std::string(kDefaultHost), std::string(kDefaultNamespace), "", std::string(kDefaultTag)};
  std::string_view model_and_tag = slashes.back();
  if (const size_t colon = model_and_tag.find(':'); colon != std::string_view::npos) {
    name.tag = model_and_tag.substr(colon + 1);
    model_and_tag = model_and_tag.substr(0, colon);
    if (Status tag_ok = check_part(Part::tag, name.tag); !tag_ok) return invalid(tag_ok.error());
  }
  name.model = model_and_tag;
  if (Status model_ok = check_part(Part::model, name.model); !model_ok) return invalid(model_ok.error());
  if (slashes.size() >= 2) {
    name.name_space = slashes[slashes.size() - 2];
    if (Status ns_ok = check_part(Part::name_space, name.name_space); !ns_ok) return invalid(ns_ok.error());
  }
  if (slashes.size() == 3) {
    name.host = slashes[0];
    if (Status host_ok = check_part(Part::host, name.host); !host_ok) return invalid(host_ok.error());
  }
  return name;
}

}  // namespace hearth::store
