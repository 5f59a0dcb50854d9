#include "gguf/split_naming.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace hearth::gguf {
namespace {

constexpr size_t kDigits = 5;

std::optional<uint32_t> parse_digits(std::string_view text) {
  if (text.size() != kDigits) return std::nullopt;
  uint32_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value;
}

}  // namespace

std::optional<SplitName> parse_split_name(const std::filesystem::path& path) {
  // "-NNNNN-of-NNNNN.gguf"
  constexpr std::string_view kOf = "-of-";
  constexpr std::string_view kExtension = ".gguf";
  constexpr size_t kSuffixBytes = 1 + kDigits + kOf.size() + kDigits + kExtension.size();
  const std::string name = path.filename().string();
  if (name.size() <= kSuffixBytes) return std::nullopt;
  const std::string_view suffix = std::string_view(name).substr(name.size() - kSuffixBytes);
  if (suffix[0] != '-' || suffix.substr(1 + kDigits, kOf.size()) != kOf || !suffix.ends_with(kExtension)) {
    return std::nullopt;
  }
  const std::optional<uint32_t> number = parse_digits(suffix.substr(1, kDigits));
  const std::optional<uint32_t> count = parse_digits(suffix.substr(1 + kDigits + kOf.size(), kDigits));
  if (!number || !count || *number == 0 || *number > *count) return std::nullopt;
  return SplitName{path.parent_path() / name.substr(0, name.size() - kSuffixBytes), *number, *count};
}

std::filesystem::path split_shard_path(const std::filesystem::path& prefix, uint32_t number, uint32_t count) {
  char suffix[48];
  std::snprintf(suffix, sizeof(suffix), "-%05u-of-%05u.gguf", number, count);
  std::filesystem::path result = prefix;
  result += suffix;
  return result;
}

}  // namespace hearth::gguf
