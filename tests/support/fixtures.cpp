#include "support/fixtures.h"

#include <cstdlib>

namespace hearth::test {

std::filesystem::path fixtures_dir() {
  if (const char* env = std::getenv("HEARTH_FIXTURES"); env && *env) return env;
  return HEARTH_DEFAULT_FIXTURES;
}

std::filesystem::path fixture(const std::string& name) { return fixtures_dir() / name; }

bool fixtures_available() { return std::filesystem::exists(fixtures_dir() / "fixtures_manifest.json"); }

std::filesystem::path hearth_binary() {
  if (const char* env = std::getenv("HEARTH_BIN"); env && *env) return env;
  return "hearth";
}

}  // namespace hearth::test
