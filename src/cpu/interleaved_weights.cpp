#include "cpu/interleaved_weights.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <type_traits>

#include "cpu/weight_formats.h"
#include "tensor/blocks.h"

namespace hearth::cpu {
namespace {

// `count` granules of `granule` bytes. The fields of a block are listed in storage order and cover it.
struct Field {
  int granule;  // 1, 2 or 4
  int count;
};

// The granules follow what the kernels load in one 256-bit vector: 4 quant bytes of each row (8 values as
// two nibbles, or 4 for Q8_0), one scale byte of each row, the fp16 scales of all 8 rows side by side. Q6_K
// had a layout and kernel too (ql and qh granules): from DRAM it ran 5-20% slower than the row kernel for one
// token, as that kernel is already near the bandwidth and the interleaved one requested memory less evenly,
// so it went.
constexpr Field kQ4_0Fields[] = {{2, 1}, {4, kQK4_0 / 2 / 4}};  // d, qs
constexpr Field kQ8_0Fields[] = {{2, 1}, {4, kQK8_0 / 4}};      // d, qs
constexpr Field kQ4_KFields[] = {{2, 1}, {2, 1}, {1, kKScaleSize}, {4, kQK_K / 2 / 4}};  // d, dmin, scales, qs
static_assert(sizeof(BlockQ4_0) == 2 + kQK4_0 / 2);
static_assert(sizeof(BlockQ8_0) == 2 + kQK8_0);
static_assert(sizeof(BlockQ4_K) == 2 + 2 + kKScaleSize + kQK_K / 2);

std::span<const Field> fields_of(WeightFormat format) {
  switch (format) {
    case WeightFormat::q4_0: return kQ4_0Fields;
    case WeightFormat::q8_0: return kQ8_0Fields;
    case WeightFormat::q4_k: return kQ4_KFields;
    default: return {};
  }
}

// One field of one block: `count` granules of kGranule bytes from each of the 8 rows (row_bytes apart) at
// `rows`, [granule][row] at `group`; kToGroup picks the direction. A compile-time granule size makes each
// copy a single move.
template <bool kToGroup>
using GroupBytes = std::conditional_t<kToGroup, uint8_t*, const uint8_t*>;
template <bool kToGroup>
using RowBytes = std::conditional_t<kToGroup, const uint8_t*, uint8_t*>;

template <int kGranule, bool kToGroup>
void move_field(GroupBytes<kToGroup> group, RowBytes<kToGroup> rows, int64_t row_bytes, int count) {
  for (int g = 0; g < count; ++g) {
    for (int64_t r = 0; r < kInterleaveRows; ++r) {
      const auto in_group = group + (g * kInterleaveRows + r) * kGranule;
      const auto in_row = rows + r * row_bytes + g * kGranule;
      if constexpr (kToGroup) {
        std::memcpy(in_group, in_row, kGranule);
      } else {
        std::memcpy(in_row, in_group, kGranule);
      }
    }
  }
}

// Every field of every block of one group, in the direction kToGroup.
template <bool kToGroup>
void move_group(WeightFormat format, GroupBytes<kToGroup> group, RowBytes<kToGroup> rows, int64_t row_bytes) {
  const std::span<const Field> fields = fields_of(format);
  int64_t block_bytes = 0;
  for (const Field& field : fields) block_bytes += field.granule * field.count;
  for (int64_t block = 0; block < row_bytes; block += block_bytes) {
    int64_t field_offset = block;
    for (const Field& field : fields) {
      const GroupBytes<kToGroup> group_field = group + field_offset * kInterleaveRows;
      const RowBytes<kToGroup> row_field = rows + field_offset;
      switch (field.granule) {
        case 1: move_field<1, kToGroup>(group_field, row_field, row_bytes, field.count); break;
        case 2: move_field<2, kToGroup>(group_field, row_field, row_bytes, field.count); break;
        default: move_field<4, kToGroup>(group_field, row_field, row_bytes, field.count); break;
      }
      field_offset += field.granule * field.count;
    }
  }
}

}  // namespace

bool has_interleaved_layout(WeightFormat format) { return !fields_of(format).empty(); }

void interleave_group(WeightFormat format, const uint8_t* rows, int64_t row_bytes, uint8_t* group) {
  move_group<true>(format, group, rows, row_bytes);
}

void deinterleave_group(WeightFormat format, const uint8_t* group, int64_t row_bytes, uint8_t* rows) {
  move_group<false>(format, group, rows, row_bytes);
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

WeightMatrix interleave_into(const OpContext& ctx, const WeightMatrix& rows, uint8_t* target) {
  const int64_t row_bytes = weight_row_bytes(rows.format, rows.n_in);
  const int64_t group_bytes = kInterleaveRows * row_bytes;
  const int64_t n_groups = rows.n_out / kInterleaveRows;
  const auto* source = static_cast<const uint8_t*>(rows.data);
  for_row_slices(*ctx.pool, n_groups, group_bytes, 1 << 20, [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) interleave_group(rows.format, source + g * group_bytes, row_bytes, target + g * group_bytes);
  });
  return {rows.format, target, rows.n_out, rows.n_in, WeightLayout::interleaved};
}

}  // namespace hearth::cpu
