// demo_model_export MANIFEST OUT.gguf TEMPLATE.gguf: writes the trained demo model as an F16 Gemma 4 GGUF
// with hearth's own GGUF writer, laid out exactly like `hearth synth` lays out a Gemma 4 file (same metadata keys, tensor order
// and dtype rule), but with the trained weights and the model's own tokenizer. The chat template is copied
// from TEMPLATE.gguf (a real Gemma 4 file), as `hearth synth --chat-template-from` does.
#include <cstdio>
#include <cstring>
#include <map>

#include "export_manifest.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "synth/gemma4_metadata.h"
#include "synth/tensor_plan.h"
#include "tensor/fp16.h"

namespace hearth::demo_model {
namespace {

using gguf::Value;
using gguf::ValueType;

constexpr float kRealVocabScore = -1000.0f;  // what the Gemma 4 converter writes for every token
constexpr uint32_t kPadId = 0, kEosId = 1, kBosId = 2, kUnknownId = 3, kMaskId = 4;  // gemma4_bpe.py's layout
constexpr float kNotRotated = 1e30f;  // rope_freqs divisor of the pairs that proportional RoPE leaves alone

// The synthetic metadata has placeholder tokenizer entries; these calls replace them (GgufWriter::set keeps
// the key's place and takes the later value).
void set_tokenizer(const Vocabulary& vocab, gguf::GgufWriter& writer) {
  std::vector<Value> scores, types;
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    scores.push_back(Value::f32(kRealVocabScore));
    types.push_back(Value::i32(vocab.types[id]));
  }
  writer.set("tokenizer.ggml.tokens", Value::string_array(vocab.tokens));
  writer.set("tokenizer.ggml.scores", Value::array(ValueType::FLOAT32, std::move(scores)));
  writer.set("tokenizer.ggml.token_type", Value::array(ValueType::INT32, std::move(types)));
  writer.set("tokenizer.ggml.merges", Value::string_array(vocab.merges));
  writer.set("tokenizer.ggml.bos_token_id", Value::u32(kBosId));
  writer.set("tokenizer.ggml.eos_token_id", Value::u32(kEosId));
  writer.set("tokenizer.ggml.unknown_token_id", Value::u32(kUnknownId));
  writer.set("tokenizer.ggml.padding_token_id", Value::u32(kPadId));
  writer.set("tokenizer.ggml.mask_token_id", Value::u32(kMaskId));
}

std::vector<uint8_t> encode(const synth::PlannedTensor& planned, const float* values) {
  std::vector<uint8_t> bytes(planned.bytes());
  const int64_t n = planned.elements();
  if (planned.type == TensorType::F16) {
    auto* out = reinterpret_cast<uint16_t*>(bytes.data());
    for (int64_t i = 0; i < n; ++i) out[i] = f32_to_fp16(values[i]);
  } else {
    std::memcpy(bytes.data(), values, static_cast<size_t>(n) * sizeof(float));
  }
  return bytes;
}

std::vector<float> rope_freqs(const synth::PlannedTensor& planned) {
  std::vector<float> values(static_cast<size_t>(planned.elements()), kNotRotated);
  for (uint32_t j = 0; j < planned.init.rotated_pairs && j < values.size(); ++j) values[j] = 1.0f;
  return values;
}

Status add_tensors(const ExportInput& input, gguf::GgufWriter& writer) {
  std::map<std::string, const DumpedTensor*> dumped;
  for (const DumpedTensor& tensor : input.tensors) dumped[tensor.name] = &tensor;
  const std::vector<synth::PlannedTensor> plan = synth::plan_gemma4_tensors(input.shape, TensorType::F16);
  for (const synth::PlannedTensor& planned : plan) {
    std::vector<uint8_t> bytes;
    if (planned.init.kind == synth::InitRule::Kind::RopeFreqs) {
      bytes = encode(planned, rope_freqs(planned).data());
    } else {
      const auto found = dumped.find(planned.name);
      if (found == dumped.end()) return make_error("the dump lacks tensor '", planned.name, "'");
      if (found->second->ne != planned.ne) return make_error("tensor '", planned.name, "' has the wrong shape");
      bytes = encode(planned, input.weights.data() + found->second->offset / sizeof(float));
      dumped.erase(found);
    }
    if (Status added = writer.add_tensor(planned.name, planned.type, planned.ne, std::move(bytes)); !added) return added;
  }
  if (!dumped.empty()) return make_error("the dump has tensor '", dumped.begin()->first, "' that a Gemma 4 file does not");
  return Status::success();
}

Result<std::string> chat_template_of(const std::filesystem::path& gguf_path) {
  auto source = gguf::GgufFile::open(gguf_path);
  if (!source) return Error{source.error()};
  Result<std::string> chat_template = (*source)->get_string("tokenizer.chat_template");
  if (!chat_template) return make_error(gguf_path.string(), ": ", chat_template.error());
  return chat_template;
}

Status export_model(const std::filesystem::path& manifest, const std::filesystem::path& out,
                    const std::filesystem::path& template_source) {
  Result<ExportInput> input = read_export_input(manifest);
  if (!input) return Error{input.error()};
  Result<std::string> chat_template = chat_template_of(template_source);
  if (!chat_template) return Error{chat_template.error()};
  gguf::GgufWriter writer;
  for (gguf::KeyValue& kv : synth::gemma4_metadata(input->shape, input->model_name, TensorType::F16, *chat_template))
    writer.set(std::move(kv.key), std::move(kv.value));
  set_tokenizer(input->vocab, writer);
  if (Status tensors = add_tensors(*input, writer); !tensors) return tensors;
  return writer.write(out);
}

}  // namespace
}  // namespace hearth::demo_model

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MANIFEST.json OUT.gguf CHAT_TEMPLATE_SOURCE.gguf\n", argv[0]);
    return 2;
  }
  const hearth::Status status = hearth::demo_model::export_model(argv[1], argv[2], argv[3]);
  if (!status) {
    std::fprintf(stderr, "error: %s\n", status.error().c_str());
    return 1;
  }
  return 0;
}
