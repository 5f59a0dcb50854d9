#include "models/embedding_table.h"

#include <cstdlib>

#include "tensor/quants.h"

namespace hearth::models {

EmbeddingTable::EmbeddingTable(const gguf::TensorInfo* tensor)
    : tensor_(tensor), width_(tensor->ne[0]), rows_(tensor->rows()), row_bytes_(tensor->bytes / tensor->rows()) {}

void EmbeddingTable::lookup(int64_t row, float factor, float* out) const {
  // Callers validate ids and the loader checked that rows decode: a failure here is a bug.
  if (row < 0 || row >= rows_) std::abort();
  if (!dequantize_row(tensor_->type, tensor_->data + row * row_bytes_, out, width_).ok()) std::abort();
  if (factor != 1.0f) {
    for (int64_t i = 0; i < width_; ++i) out[i] *= factor;
  }
}

}  // namespace hearth::models
