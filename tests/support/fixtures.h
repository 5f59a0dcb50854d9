#pragma once
#include <filesystem>
#include <string>

namespace hearth::test {

// The fixtures folder (HEARTH_FIXTURES, else ../shared/fixtures beside the repository).
std::filesystem::path fixtures_dir();

// Path of a fixture file; calls GTEST_SKIP-compatible logic through the macro below when absent.
std::filesystem::path fixture(const std::string& name);
bool fixtures_available();

// The hearth executable under test (set by CTest through HEARTH_BIN).
std::filesystem::path hearth_binary();

}  // namespace hearth::test

// Skips the current test with a clear message when the shared fixtures are not present.
#define HEARTH_REQUIRE_FIXTURES()                                                                         \
  do {                                                                                                    \
    if (!::hearth::test::fixtures_available())                                                            \
      GTEST_SKIP() << "fixtures not found at " << ::hearth::test::fixtures_dir()                           \
                   << " (set HEARTH_FIXTURES to the shared fixtures folder)";                             \
  } while (0)
