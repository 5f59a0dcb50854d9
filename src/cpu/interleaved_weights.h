#pragma once
// Load-time repacking of quantized weight matrices for the matrix-vector kernels (decode).
//
// A row-layout kernel ends every row with a horizontal sum and decodes each row's block scales on its own;
// with short rows (1536 inputs are 6 super-blocks) that overhead made Q4_K decode compute-bound below the
// memory bandwidth. The interleaved layout stores kInterleaveRows rows as one group whose blocks are
// interleaved field by field: the b-th block of the group holds the b-th block of each of its 8 rows, and each
// field of the block (scale, mins, quants) is cut into granules stored granule by granule, row by row. A
// 256-bit load then carries 4-byte granules of all 8 rows, one 32-bit lane per row, so the kernels keep one
// output row per lane from the first block to the last.
//
// The layout is a pure byte permutation of the rows (same size, nothing decoded or rounded), so the row
// layout is always recoverable: paths without an interleaved kernel (panels, dequantizing, other kernel
// tables) read rows through rows_of(). Model code never sees it: resident_weights.h repacks at load.
#include <cstdint>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/ops.h"

namespace hearth::cpu {

// Whether `format` has an interleaved layout.
bool has_interleaved_layout(WeightFormat format);

// The kInterleaveRows rows at `rows` (row_bytes apart) as one interleaved group at `group` (8·row_bytes
// bytes), and back. `format` must have an interleaved layout.
void interleave_group(WeightFormat format, const uint8_t* rows, int64_t row_bytes, uint8_t* group);
void deinterleave_group(WeightFormat format, const uint8_t* group, int64_t row_bytes, uint8_t* rows);

// Rows [first_row, first_row + n_rows) of `matrix` in row layout: a pointer into the matrix when it is stored
// as rows, else the rows de-interleaved into `scratch`.
const uint8_t* rows_of(const WeightMatrix& matrix, int64_t first_row, int64_t n_rows, std::vector<uint8_t>& scratch);

// Whether decode with `kernels` is faster on `matrix` interleaved: stored as rows in a format that has an
// interleaved matrix-vector kernel in the table, with a whole number of row groups.
bool worth_interleaving(const WeightMatrix& matrix, const Kernels& kernels);

// `rows` (row layout, worth_interleaving) repacked into `target` (as many bytes as the rows), the groups split
// over ctx's threads; returns the interleaved matrix at `target`.
WeightMatrix interleave_into(const OpContext& ctx, const WeightMatrix& rows, uint8_t* target);

}  // namespace hearth::cpu
