#pragma once
// llama.cpp's `llama_ftype` numbers, stored in `general.file_type`: the label of a file's intended quant mix
// (e.g. 15 = Q4_K_M). Informational only; tensor types always come from the tensor table.
#include <cstdint>
#include <optional>
#include <string_view>

namespace hearth::model {

// "Q4_K_M" for 15; nullopt for numbers llama.cpp never assigned or has removed.
std::optional<std::string_view> file_type_name(uint64_t file_type);

}  // namespace hearth::model
