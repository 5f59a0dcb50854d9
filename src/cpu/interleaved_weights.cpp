#include "cpu/interleaved_weights.h"

#include <algorithm>
#include <cstring>
#include <span>

#include "cpu/weight_formats.h"
#include "tensor/blocks.h"

namespace hearth::cpu {
namespace {

// `count` granules of `granule` bytes. The fields of a block are listed in storage order and cover it.
struct Field {
  int granule;  // 1, 2 or 4
  int count;
};

// The granules follow what the kernels load in one 256-bit vector: 4 quant bytes of each row (Q4_0, Q4_K: 8
// values as two nibbles; Q6_K: 4 values' low nibbles or high bits), one scale byte of each row, the fp16
// scales of all 8 rows side by side.
constexpr Field kQ4_0Fields[] = {{2, 1}, {4, kQK4_0 / 2 / 4}};  // d, qs
constexpr Field kQ4_KFields[] = {{2, 1}, {2, 1}, {1, kKScaleSize}, {4, kQK_K / 2 / 4}};  // d, dmin, scales, qs
constexpr Field kQ6_KFields[] = {{4, kQK_K / 2 / 4}, {4, kQK_K / 4 / 4}, {1, kQK_K / 16}, {2, 1}};  // ql, qh, scales, d
static_assert(sizeof(BlockQ4_0) == 2 + kQK4_0 / 2);
static_assert(sizeof(BlockQ4_K) == 2 + 2 + kKScaleSize + kQK_K / 2);
static_assert(sizeof(BlockQ6_K) == kQK_K / 2 + kQK_K / 4 + kQK_K / 16 + 2);

std::span<const Field> fields_of(WeightFormat format) {
  switch (format) {
    case WeightFormat::q4_0: return kQ4_0Fields;
    case WeightFormat::q4_k: return kQ4_KFields;
    case WeightFormat::q6_k: return kQ6_KFields;
    default: return {};
  }
}

// Calls move(row, row_offset, group_offset, size) for every granule of one group of `format`: the granule at
// row_offset in row `row` sits at group_offset in the group.
template <class Move>
void for_each_granule(WeightFormat format, int64_t row_bytes, Move move) {
  const std::span<const Field> fields = fields_of(format);
  int64_t block_bytes = 0;
  for (const Field& field : fields) block_bytes += field.granule * field.count;
  const int64_t n_blocks = row_bytes / block_bytes;
  for (int64_t b = 0; b < n_blocks; ++b) {
    int64_t field_offset = 0;
    for (const Field& field : fields) {
      for (int g = 0; g < field.count; ++g) {
        for (int64_t r = 0; r < kInterleaveRows; ++r) {
          const int64_t row_offset = b * block_bytes + field_offset + g * field.granule;
          const int64_t group_offset = b * block_bytes * kInterleaveRows + field_offset * kInterleaveRows +
                                       (g * kInterleaveRows + r) * field.granule;
          move(r, row_offset, group_offset, field.granule);
        }
      }
      field_offset += field.granule * field.count;
    }
  }
}

// memcpy with a size known at compile time is a single move; the granules are one of these sizes.
void copy_granule(uint8_t* to, const uint8_t* from, int size) {
  switch (size) {
    case 1: *to = *from; return;
    case 2: std::memcpy(to, from, 2); return;
    default: std::memcpy(to, from, 4); return;
  }
}

}  // namespace

bool has_interleaved_layout(WeightFormat format) { return !fields_of(format).empty(); }

void interleave_group(WeightFormat format, const uint8_t* rows, int64_t row_bytes, uint8_t* group) {
  for_each_granule(format, row_bytes, [&](int64_t row, int64_t row_offset, int64_t group_offset, int size) {
    copy_granule(group + group_offset, rows + row * row_bytes + row_offset, size);
  });
}

void deinterleave_group(WeightFormat format, const uint8_t* group, int64_t row_bytes, uint8_t* rows) {
  for_each_granule(format, row_bytes, [&](int64_t row, int64_t row_offset, int64_t group_offset, int size) {
    copy_granule(rows + row * row_bytes + row_offset, group + group_offset, size);
  });
}

const uint8_t* rows_of(const WeightMatrix& matrix, int64_t first_row, int64_t n_rows, std::vector<uint8_t>& scratch) {
  const int64_t row_bytes = weight_row_bytes(matrix.format, matrix.n_in);
  const auto* bytes = static_cast<const uint8_t*>(matrix.data);
  if (matrix.layout == WeightLayout::rows) return bytes + first_row * row_bytes;
  const int64_t first_group = first_row / kInterleaveRows;
  const int64_t end_group = (first_row + n_rows + kInterleaveRows - 1) / kInterleaveRows;
  const int64_t group_bytes = kInterleaveRows * row_bytes;
  scratch.resize((end_group - first_group) * group_bytes);
  for (int64_t g = first_group; g < end_group; ++g) {
    deinterleave_group(matrix.format, bytes + g * group_bytes, row_bytes, scratch.data() + (g - first_group) * group_bytes);
  }
  return scratch.data() + (first_row - first_group * kInterleaveRows) * row_bytes;
}

bool worth_interleaving(const WeightMatrix& matrix, const Kernels& kernels) {
  return matrix.layout == WeightLayout::rows && is_quantized(matrix.format) && has_interleaved_layout(matrix.format) &&
         kernels.quant_fn(matrix.format).gemv_interleaved != nullptr && matrix.n_out % kInterleaveRows == 0;
}

InterleavedMatrix interleave(const OpContext& ctx, const WeightMatrix& rows) {
  const int64_t row_bytes = weight_row_bytes(rows.format, rows.n_in);
  const int64_t group_bytes = kInterleaveRows * row_bytes;
  const int64_t n_groups = rows.n_out / kInterleaveRows;
  InterleavedMatrix out;
  out.bytes_ = std::make_unique_for_overwrite<uint8_t[]>(n_groups * group_bytes);
  const auto* source = static_cast<const uint8_t*>(rows.data);
  uint8_t* target = out.bytes_.get();
  for_row_slices(*ctx.pool, n_groups, group_bytes, 1 << 20, [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) interleave_group(rows.format, source + g * group_bytes, row_bytes, target + g * group_bytes);
  });
  out.matrix_ = {rows.format, target, rows.n_out, rows.n_in, WeightLayout::interleaved};
  return out;
}

}  // namespace hearth::cpu
