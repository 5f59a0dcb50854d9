#include "models/text_model.h"

#include "models/gemma4/text.h"

namespace hearth::models {

Result<std::unique_ptr<TextModel>> load_text_model(const std::filesystem::path& path) {
  Result<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(path);
  if (!file) return make_error(path.string(), ": ", file.error());
  Result<std::string> arch = (*file)->get_string("general.architecture");
  if (!arch) return make_error(path.string(), ": ", arch.error());
  Result<std::unique_ptr<TextModel>> model = make_error("architecture '", *arch, "' is not supported");
  if (*arch == "gemma4") model = gemma4::load_text(std::move(*file));
  if (!model) return make_error(path.string(), ": ", model.error());
  return model;
}

}  // namespace hearth::models
