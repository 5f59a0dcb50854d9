#include "model/tensor_values.h"

#include <algorithm>

#include "tensor/quants.h"

namespace hearth::model {

Result<std::vector<float>> read_tensor_values(const gguf::TensorInfo& tensor, int64_t count) {
  const TypeInfo& type = type_info(tensor.type);
  if (!type.dequantizable) return make_error("tensor '", tensor.name, "': unsupported tensor type ", type.name);
  if (count < 0) return make_error("tensor '", tensor.name, "': cannot read ", count, " values");

  const int64_t wanted = std::min(count, tensor.elements());
  const int64_t block = type.block_elements;
  const int64_t decoded = (wanted + block - 1) / block * block;
  std::vector<float> values(static_cast<size_t>(decoded));
  if (decoded > 0) {
    if (Status status = dequantize_row(tensor.type, tensor.data, values.data(), decoded); !status.ok()) {
      return make_error("tensor '", tensor.name, "': ", status.error());
    }
  }
  values.resize(static_cast<size_t>(wanted));
  return values;
}

}  // namespace hearth::model
