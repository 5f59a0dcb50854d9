#pragma once
// Row lookup (get_rows) in a GGUF matrix of any decodable type, e.g. token embeddings: model code asks for
// rows as f32 and never sees the storage type.
#include <cstdint>

#include "gguf/gguf_file.h"

namespace hearth::models {

class EmbeddingTable {
 public:
  EmbeddingTable() = default;
  // The caller has checked that the tensor's rows decode (see weights loading).
  explicit EmbeddingTable(const gguf::TensorInfo* tensor);

  int64_t width() const { return width_; }
  int64_t rows() const { return rows_; }
  // out [width] = row `row` (< rows()) as f32, scaled by `factor`.
  void lookup(int64_t row, float factor, float* out) const;

 private:
  const gguf::TensorInfo* tensor_ = nullptr;
  int64_t width_ = 0;
  int64_t rows_ = 0;
  uint64_t row_bytes_ = 0;
};

}  // namespace hearth::models
