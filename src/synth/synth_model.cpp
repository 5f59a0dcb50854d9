#include "synth/synth_model.h"

#include "gguf/gguf_writer.h"
#include "synth/gemma4_metadata.h"
#include "synth/random_fill.h"
#include "synth/tensor_plan.h"

namespace hearth::synth {

Status write_synth_model(const SynthOptions& options, const std::filesystem::path& path,
                         const std::function<void(size_t done, size_t total)>& on_tensor) {
  if (options.weight_type != TensorType::F16 && options.weight_type != TensorType::F32)
    return make_error("synthetic weights are F16 or F32, not ", type_info(options.weight_type).name);
  gguf::GgufWriter writer;
  for (gguf::KeyValue& kv : gemma4_metadata(options.shape, options.model_name, options.weight_type, options.chat_template)) {
    writer.set(std::move(kv.key), std::move(kv.value));
  }
  for (PlannedTensor& tensor : plan_gemma4_tensors(options.shape, options.weight_type)) {
    std::string name = tensor.name;
    const TensorType type = tensor.type;
    std::vector<int64_t> ne = tensor.ne;
    auto produce = [tensor = std::move(tensor), seed = options.seed, threads = options.threads](std::span<uint8_t> out) {
      return fill_tensor(tensor, seed, out, threads);
    };
    if (Status added = writer.add_tensor(std::move(name), type, std::move(ne), std::move(produce)); !added) return added;
  }
  return writer.write(path, on_tensor);
}

}  // namespace hearth::synth
