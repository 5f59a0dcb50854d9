#pragma once
// Left-aligned columns separated by four spaces, as Ollama's `list` and `ps` print them.
#include <string>
#include <vector>

namespace hearth::cli {

// rows[0] is the header; every row has the same number of cells.
void print_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace hearth::cli
