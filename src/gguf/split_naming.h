#pragma once
// File names of split models (spec/gguf.md §8.2): `<prefix>-00001-of-00003.gguf`, shard numbers 1-based,
// as written by llama.cpp's gguf-split.
#include <cstdint>
#include <filesystem>
#include <optional>

namespace hearth::gguf {

struct SplitName {
  std::filesystem::path prefix;  // directory and name part before "-NNNNN-of-NNNNN.gguf"
  uint32_t number = 0;           // 1-based
  uint32_t count = 0;
};

// nullopt when the name does not follow the pattern.
std::optional<SplitName> parse_split_name(const std::filesystem::path& path);

// `<prefix>-<number>-of-<count>.gguf` with 5-digit zero-padded numbers; `number` is 1-based.
std::filesystem::path split_shard_path(const std::filesystem::path& prefix, uint32_t number, uint32_t count);

}  // namespace hearth::gguf
