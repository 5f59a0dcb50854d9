#include <algorithm>
#include <cinttypes>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "cli/human_size.h"
#include "cli/show_report.h"

namespace hearth::cli {
namespace {

constexpr size_t kMaxStringChars = 100;
constexpr size_t kMaxArrayItems = 8;
constexpr size_t kLicenseLines = 5;

void section(std::FILE* out, const char* title) { std::fprintf(out, "\n  %s\n", title); }

void row(std::FILE* out, std::string_view label, const std::string& value) {
  std::fprintf(out, "    %-20.*s%s\n", static_cast<int>(label.size()), label.data(), value.c_str());
}

void optional_row(std::FILE* out, std::string_view label, const std::optional<uint64_t>& value) {
  if (value) row(out, label, std::to_string(*value));
}

// Quoted, with control characters escaped so every value stays on one line, and cut after a limit.
std::string quote(std::string_view text) {
  std::string quoted = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxStringChars; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      quoted += escaped;
    } else {
      quoted += static_cast<char>(c);
    }
  }
  quoted += '"';
  if (text.size() > kMaxStringChars) quoted += "... (" + std::to_string(text.size()) + " bytes)";
  return quoted;
}

std::string render_value(const gguf::Value& value) {
  return std::visit(
      [](const auto& data) -> std::string {
        using Held = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<Held, gguf::Array>) {
          std::string text = "[";
          for (size_t i = 0; i < data.items.size() && i < kMaxArrayItems; ++i) {
            if (i > 0) text += ", ";
            text += render_value(data.items[i]);
          }
          if (data.items.size() > kMaxArrayItems) text += ", ... (" + std::to_string(data.items.size()) + " items)";
          return text + "]";
        } else if constexpr (std::is_same_v<Held, std::string>) {
          return quote(data);
        } else if constexpr (std::is_same_v<Held, bool>) {
          return data ? "true" : "false";
        } else if constexpr (std::is_same_v<Held, double>) {
          char text[32];
          std::snprintf(text, sizeof text, "%.9g", data);
          return text;
        } else {
          return std::to_string(data);
        }
      },
      value.data);
}

std::string shape_text(const gguf::TensorInfo& tensor) {
  std::string text = "[";
  for (uint32_t i = 0; i < std::max<uint32_t>(tensor.n_dims, 1); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(tensor.ne[i]);
  }
  return text + "]";
}

void print_model(std::FILE* out, const gguf::GgufFile& file, const model::ModelInfo& info) {
  section(out, "Model");
  row(out, "architecture", info.architecture.empty() ? "(none)" : info.architecture);
  if (info.kind != "model") row(out, "type", info.kind);
  if (!info.name.empty()) row(out, "name", info.name);
  row(out, "parameters", model::format_parameter_count(info.parameter_count));
  row(out, "quantization", info.file_type + (info.file_type_guessed ? " (guessed from the tensors)" : ""));
  optional_row(out, "context length", info.context_length);
  optional_row(out, "embedding length", info.embedding_length);
  optional_row(out, "block count", info.block_count);
  row(out, "file size", human_size(file.file_size()));
}

void print_type_mix(std::FILE* out, const model::ModelInfo& info) {
  section(out, "Tensor types");
  for (const model::TypeUsage& usage : info.type_mix) {
    const std::string_view name = type_info(usage.type).name;
    std::fprintf(out, "    %-10.*s%6" PRIu64 " tensor%s  %10s\n", static_cast<int>(name.size()), name.data(),
                 usage.tensors, usage.tensors == 1 ? " " : "s", human_size(usage.bytes).c_str());
  }
}

void print_projector(std::FILE* out, const model::ModelInfo& info) {
  if (info.projector_towers.empty()) return;
  section(out, "Projector");
  for (const model::ProjectorTower& tower : info.projector_towers) {
    row(out, tower.modality, tower.projector_type.empty() ? "(type not set)" : tower.projector_type);
    optional_row(out, "  blocks", tower.block_count);
    optional_row(out, "  embedding length", tower.embedding_length);
    optional_row(out, "  projection dim", tower.projection_dim);
    optional_row(out, "  image size", tower.image_size);
    optional_row(out, "  patch size", tower.patch_size);
    optional_row(out, "  mel bins", tower.mel_bins);
  }
}

void print_metadata(std::FILE* out, const gguf::GgufFile& file, bool verbose) {
  section(out, verbose ? "Metadata" : "Metadata (general.*; --verbose for all keys)");
  for (const gguf::KeyValue& entry : file.metadata()) {
    if (!verbose && !entry.key.starts_with("general.")) continue;
    std::fprintf(out, "    %-40s %s\n", entry.key.c_str(), render_value(entry.value).c_str());
  }
}

void print_license(std::FILE* out, const std::string& license, bool verbose) {
  section(out, "License");
  size_t start = 0;
  size_t printed = 0;
  while (start < license.size()) {
    if (!verbose && printed == kLicenseLines) {
      std::fprintf(out, "    ... (--verbose for the full text)\n");
      return;
    }
    size_t end = license.find('\n', start);
    if (end == std::string::npos) end = license.size();
    std::fprintf(out, "    %.*s\n", static_cast<int>(end - start), license.data() + start);
    ++printed;
    start = end + 1;
  }
}

void print_tensors(std::FILE* out, const gguf::GgufFile& file) {
  section(out, "Tensors");
  std::fprintf(out, "    %-48s %-8s %-22s %12s %12s\n", "name", "type", "shape (ne0..)", "bytes", "offset");
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    const std::string_view type = type_info(tensor.type).name;
    std::fprintf(out, "    %-48s %-8.*s %-22s %12" PRIu64 " %12" PRIu64 "\n", tensor.name.c_str(),
                 static_cast<int>(type.size()), type.data(), shape_text(tensor).c_str(), tensor.bytes, tensor.offset);
  }
}

}  // namespace

void print_show_text(std::FILE* out, const gguf::GgufFile& file, const model::ModelInfo& info,
                     const ShowOptions& options) {
  print_model(out, file, info);
  print_type_mix(out, info);
  section(out, "Capabilities");
  for (const std::string& capability : info.capabilities) std::fprintf(out, "    %s\n", capability.c_str());
  print_projector(out, info);
  print_metadata(out, file, options.verbose);
  if (info.license) print_license(out, *info.license, options.verbose);
  if (options.tensors) print_tensors(out, file);
  std::fprintf(out, "\n");
}

}  // namespace hearth::cli
