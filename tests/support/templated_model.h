#pragma once
// A copy of a fixture model with a real chat template embedded (the tiny fixtures carry none), so tests can
// exercise what the template enables: tools and thinking.
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/fixtures.h"

namespace hearth::test {

// Writes `out`: `model` with the chat template of the Gemma 4 vocabulary fixture.
inline void write_with_gemma4_template(const std::filesystem::path& model, const std::filesystem::path& out) {
  auto source = gguf::GgufFile::open(model);
  auto vocab = gguf::GgufFile::open(fixture("vocab/ggml-vocab-gemma-4.gguf"));
  if (!source || !vocab) throw std::runtime_error("cannot open the fixtures");
  auto chat_template = (*vocab)->get_string("tokenizer.chat_template");
  if (!chat_template) throw std::runtime_error(chat_template.error());
  gguf::GgufWriter writer((*source)->alignment());
  for (const gguf::KeyValue& entry : (*source)->metadata()) writer.set(entry.key, entry.value);
  writer.set("tokenizer.chat_template", gguf::Value::string(*chat_template));
  for (const gguf::TensorInfo& tensor : (*source)->tensors()) {
    const std::span<const uint8_t> bytes = tensor.bytes_view();
    const std::vector<int64_t> ne(tensor.ne.begin(), tensor.ne.begin() + tensor.n_dims);
    if (Status added = writer.add_tensor(tensor.name, tensor.type, ne, std::vector<uint8_t>(bytes.begin(), bytes.end())); !added) {
      throw std::runtime_error(added.error());
    }
  }
  if (Status written = writer.write(out); !written) throw std::runtime_error(written.error());
}

}  // namespace hearth::test
