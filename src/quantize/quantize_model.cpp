#include "quantize/quantize_model.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "core/staged_file.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quantize/checksum.h"
#include "quantize/convert.h"
#include "quantize/tensor_mix.h"
#include "quantize/verify.h"

namespace hearth::quantize {
namespace {

bool is_block_quantized(TensorType type) { return type_info(type).block_elements > 1; }

// Refuses conversions the tensor code cannot do before anything is written, and warns once when already
// quantized data is quantized again (the result is worse than quantizing the original floats).
Status check_conversions(std::span<const gguf::TensorInfo> tensors, const std::vector<TensorType>& targets,
                         const QuantizeObserver& observer) {
  size_t requantized = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const gguf::TensorInfo& tensor = tensors[i];
    if (targets[i] == tensor.type) continue;
    if (!type_info(tensor.type).dequantizable) {
      return make_error("tensor '", tensor.name, "': cannot convert from type ", type_info(tensor.type).name);
    }
    if (is_block_quantized(tensor.type)) ++requantized;
  }
  if (requantized > 0 && observer.warning) {
    observer.warning(make_error(requantized, " tensors are already quantized and will be dequantized and "
                                             "quantized again; quantizing the F16/BF16/F32 original gives better quality")
                         .message);
  }
  return Status::success();
}

ExpectedTensor expected_tensor(const gguf::TensorInfo& tensor, TensorType type) {
  ExpectedTensor expected;
  expected.name = tensor.name;
  expected.type = type;
  expected.n_dims = std::max<uint32_t>(tensor.n_dims, 1);
  expected.ne = tensor.ne;
  expected.bytes = static_cast<uint64_t>(tensor.rows()) * *row_bytes(type, tensor.ne[0]);
  return expected;
}

}  // namespace

Result<QuantizeSummary> quantize_model(const QuantizeRequest& request, const QuantizeObserver& observer) {
  Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(request.input);
  if (!opened.ok()) return std::move(opened).take_error();
  const gguf::GgufFile& input = **opened;
  const std::vector<gguf::TensorInfo>& tensors = input.tensors();

  Result<MixPlan> plan = plan_tensor_types(read_mix_model(input), request.preset, request.pure, tensors);
  if (!plan.ok()) return std::move(plan).take_error();
  if (observer.warning) {
    for (const std::string& fallback : plan->fallbacks) observer.warning(fallback);
  }
  if (Status checked = check_conversions(tensors, plan->types, observer); !checked.ok()) return Error{checked.error()};

  gguf::GgufWriter writer(input.alignment());
  for (const gguf::KeyValue& entry : input.metadata()) {
    // The output is always a single file.
    if (!entry.key.starts_with("split.")) writer.set(entry.key, entry.value);
  }
  writer.set("general.quantization_version", gguf::Value::u32(2));
  writer.set("general.file_type", gguf::Value::u32(request.preset.file_type));

  QuantizeSummary summary;
  summary.tensors = tensors.size();
  std::vector<ExpectedTensor> expected;
  expected.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const gguf::TensorInfo& tensor = tensors[i];
    const TensorType target = plan->types[i];
    expected.push_back(expected_tensor(tensor, target));
    summary.bytes_in += tensor.bytes;
    summary.bytes_out += expected.back().bytes;

    std::vector<int64_t> ne(tensor.ne.begin(), tensor.ne.begin() + expected.back().n_dims);
    auto produce = [&, i, target](std::span<uint8_t> out) -> Status {
      if (Status converted = convert_tensor(tensors[i], target, out, request.threads); !converted.ok()) return converted;
      expected[i].checksum = content_checksum(out);
      if (observer.tensor_done) {
        observer.tensor_done({i + 1, tensors.size(), tensors[i].name, tensors[i].type, target, tensors[i].bytes, out.size()});
      }
      return Status::success();
    };
    if (Status added = writer.add_tensor(tensor.name, target, std::move(ne), produce); !added.ok()) {
      return Error{added.error()};
    }
  }

  Result<StagedFile> staged = StagedFile::create(request.output);
  if (!staged.ok()) return std::move(staged).take_error();
  if (Status written = writer.write(staged->path()); !written.ok()) {
    return make_error("writing ", staged->path().string(), ": ", written.error());
  }
  if (Status verified = verify_written_file(staged->path(), expected, request.preset.file_type); !verified.ok()) {
    return make_error("verifying ", staged->path().string(), ": ", verified.error());
  }
  if (Status committed = staged->commit(); !committed.ok()) return Error{committed.error()};
  return summary;
}

}  // namespace hearth::quantize
