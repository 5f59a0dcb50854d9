#include "export_manifest.h"

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hearth::demo_model {
namespace {

using nlohmann::json;

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path.string(), ": cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return make_error(path.string(), ": cannot be read");
  return text.str();
}

Result<json> read_json(const std::filesystem::path& path) {
  Result<std::string> text = read_file(path);
  if (!text) return Error{text.error()};
  json parsed = json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) return make_error(path.string(), ": not valid JSON");
  return parsed;
}

synth::Gemma4Shape shape_from(const json& s) {
  synth::Gemma4Shape shape;
  shape.n_vocab = s.at("n_vocab").get<uint32_t>();
  shape.n_ctx_train = s.at("n_ctx_train").get<uint32_t>();
  shape.n_layer = s.at("n_layer").get<uint32_t>();
  shape.n_embd = s.at("n_embd").get<uint32_t>();
  shape.n_head = s.at("n_head").get<uint32_t>();
  shape.n_head_kv_swa = s.at("n_head_kv").get<uint32_t>();
  shape.n_head_kv_full = shape.n_head_kv_swa;
  shape.head_dim_swa = s.at("head_dim_swa").get<uint32_t>();
  shape.head_dim_full = s.at("head_dim_full").get<uint32_t>();
  shape.n_ff = s.at("n_ff").get<uint32_t>();
  shape.double_wide_mlp = s.at("double_wide_mlp").get<bool>();
  shape.layer_pattern = s.at("layer_pattern").get<std::string>();
  shape.sliding_window = s.at("sliding_window").get<uint32_t>();
  shape.n_embd_per_layer = s.at("n_embd_per_layer").get<uint32_t>();
  shape.n_kv_shared = s.at("n_kv_shared").get<uint32_t>();
  shape.rope_freq_base_full = s.at("rope_freq_base_full").get<float>();
  shape.rope_freq_base_swa = s.at("rope_freq_base_swa").get<float>();
  shape.partial_rotary_full = s.at("partial_rotary_full").get<float>();
  shape.final_logit_softcapping = s.at("final_logit_softcapping").get<float>();
  shape.rms_norm_eps = s.at("rms_norm_eps").get<float>();
  return shape;
}

Status check_shape(const synth::Gemma4Shape& shape) {
  if (shape.n_layer == 0 || shape.layer_pattern.size() != shape.n_layer)
    return make_error("layer_pattern must have one letter per layer (", shape.n_layer, " layers)");
  if (shape.layer_pattern.find_first_not_of("SG") != std::string::npos)
    return make_error("layer_pattern may only hold S (sliding) and G (global)");
  if (shape.n_kv_shared >= shape.n_layer) return make_error("n_kv_shared must leave a layer with its own K/V");
  return Status::success();
}

Result<Vocabulary> vocabulary_from(const json& v, uint32_t n_vocab) {
  Vocabulary vocab{v.at("tokens").get<std::vector<std::string>>(), v.at("types").get<std::vector<int32_t>>(),
                   v.at("merges").get<std::vector<std::string>>()};
  if (vocab.tokens.size() != n_vocab || vocab.types.size() != n_vocab)
    return make_error("the vocabulary has ", vocab.tokens.size(), " tokens and ", vocab.types.size(),
                      " types; the model has ", n_vocab, " rows");
  return vocab;
}

Result<std::vector<float>> read_weights(const std::filesystem::path& path) {
  Result<std::string> bytes = read_file(path);
  if (!bytes) return Error{bytes.error()};
  if (bytes->size() % sizeof(float) != 0) return make_error(path.string(), ": not a whole number of float32 values");
  std::vector<float> values(bytes->size() / sizeof(float));
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

Result<std::vector<DumpedTensor>> tensors_from(const json& list, size_t weight_count) {
  std::vector<DumpedTensor> tensors;
  for (const json& t : list) {
    DumpedTensor tensor{t.at("name").get<std::string>(), t.at("ne").get<std::vector<int64_t>>(), t.at("offset").get<uint64_t>()};
    uint64_t elements = 1;
    for (int64_t n : tensor.ne) {
      if (n <= 0) return make_error("tensor '", tensor.name, "': dimensions must be positive");
      elements *= static_cast<uint64_t>(n);
    }
    if (tensor.offset % sizeof(float) != 0 || tensor.offset / sizeof(float) + elements > weight_count)
      return make_error("tensor '", tensor.name, "' lies outside the weights file");
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

}  // namespace

Result<ExportInput> read_export_input(const std::filesystem::path& manifest_path) {
  Result<json> manifest = read_json(manifest_path);
  if (!manifest) return Error{manifest.error()};
  const std::filesystem::path folder = manifest_path.parent_path();
  try {
    ExportInput input;
    input.model_name = manifest->at("name").get<std::string>();
    input.shape = shape_from(manifest->at("shape"));
    if (Status shape = check_shape(input.shape); !shape) return Error{shape.error()};

    Result<std::vector<float>> weights = read_weights(folder / manifest->at("weights").get<std::string>());
    if (!weights) return Error{weights.error()};
    input.weights = std::move(*weights);
    Result<std::vector<DumpedTensor>> tensors = tensors_from(manifest->at("tensors"), input.weights.size());
    if (!tensors) return Error{tensors.error()};
    input.tensors = std::move(*tensors);

    Result<json> vocab_json = read_json(folder / manifest->at("vocab").get<std::string>());
    if (!vocab_json) return Error{vocab_json.error()};
    Result<Vocabulary> vocab = vocabulary_from(*vocab_json, input.shape.n_vocab);
    if (!vocab) return Error{vocab.error()};
    input.vocab = std::move(*vocab);
    return input;
  } catch (const json::exception& e) {
    return make_error(manifest_path.string(), ": ", e.what());
  }
}

}  // namespace hearth::demo_model
