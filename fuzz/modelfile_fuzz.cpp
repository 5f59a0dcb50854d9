// libFuzzer harness for the model store's text parsers, all fed the same bytes: the Modelfile parser (whose
// typed parameters must pass the strict option check), model names (whose display form must read back to
// the same name and map to four plain path components) and manifests (which must survive a write and
// re-read unchanged).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/manifest.h"
#include "store/model_name.h"
#include "store/model_options.h"
#include "store/modelfile.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void fuzz_modelfile(std::string_view text) {
  hearth::Result<hearth::store::ModelSpec> spec = hearth::store::parse_modelfile(text);
  if (!spec.ok()) return;
  check(!spec->from.empty());
  check(hearth::store::normalize_parameters(spec->parameters, /*strict=*/true).ok());
  check(!spec->parameters.dump().empty());
  if (spec->messages) check(!spec->messages->dump().empty());
}

void fuzz_name(std::string_view text) {
  hearth::Result<hearth::store::ModelName> name = hearth::store::parse_model_name(text);
  if (!name.ok()) return;
  hearth::Result<hearth::store::ModelName> again = hearth::store::parse_model_name(name->display());
  check(again.ok() && again->full() == name->full());
  size_t parts = 0;
  for (const auto& part : name->manifest_path()) {
    ++parts;
    check(part != "." && part != ".." && !part.empty() && part.string().find('/') == std::string::npos);
  }
  check(parts == 4 && !name->manifest_path().is_absolute());
}

void fuzz_manifest(std::string_view text) {
  hearth::Result<hearth::store::Manifest> manifest = hearth::store::parse_manifest(text);
  if (!manifest.ok()) return;
  const std::string written = hearth::store::serialize_manifest(*manifest);
  hearth::Result<hearth::store::Manifest> again = hearth::store::parse_manifest(written);
  check(again.ok() && hearth::store::serialize_manifest(*again) == written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_modelfile(text);
  fuzz_name(text);
  fuzz_manifest(text);
  return 0;
}
