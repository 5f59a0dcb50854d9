#pragma once
#include <cstdint>
#include <string>

namespace hearth::cli {

// "812 B", "4.50 KiB", "5.18 MiB", "13.2 GiB".
std::string human_size(uint64_t bytes);

}  // namespace hearth::cli
