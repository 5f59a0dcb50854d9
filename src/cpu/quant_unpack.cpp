// The reference unpacking of every quantized weight format into whole-row panels (quant_unpack.h).
#include "cpu/quant_unpack.h"

#include <cstring>

#include "tensor/fp16.h"
#include "tensor/quants.h"

namespace hearth::cpu::row_panels {
namespace {

// Calls unpack_block(block, row, index) for every block of every row.
template <typename Block, int kBlockElements, typename UnpackBlock>
void unpack_rows(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel, UnpackBlock unpack_block) {
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* blocks = reinterpret_cast<const Block*>(static_cast<const uint8_t*>(rows) + r * row_bytes);
    const PanelRow row = panel_row(panel, r, kBlockElements);
    for (int64_t b = 0; b < panel.n_in / kBlockElements; ++b) unpack_block(blocks[b], row, b);
  }
}

// Sets the scale and min of 16-value group g (of the whole row) of a 256-value format.
void set_group(const PanelRow& row, int64_t g, int scale, int min) {
  for (int lane = 0; lane < 8; ++lane) row.scales[(g / 2) * 16 + (g % 2) * 8 + lane] = static_cast<int16_t>(scale);
  row.mins[g] = static_cast<int16_t>(min);
}

// The 32-value formats store element j of a block in the low nibble of byte j and element j+16 in its high
// nibble; value_of maps (nibble, element) to the integer value.
template <typename ValueOf>
void unpack_nibbles(const uint8_t* qs, int8_t* q, ValueOf value_of) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<int8_t>(value_of(qs[j] & 0xF, j));
    q[j + 16] = static_cast<int8_t>(value_of(qs[j] >> 4, j + 16));
  }
}

// The 6-bit sub-scales of Q3_K and IQ4_XS: stored +32, as a low nibble and two high bits.
int signed_six_bit_scale(int low_nibble, int high_two_bits) { return (low_nibble | (high_two_bits << 4)) - 32; }

uint32_t load_u32(const uint8_t* bytes) {
  uint32_t value;
  std::memcpy(&value, bytes, 4);
  return value;
}

}  // namespace

void unpack_q4_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ4_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ4_0& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return nibble - 8; });
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_q4_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ4_1, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ4_1& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return nibble; });
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.m);
  });
}

void unpack_q5_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ5_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ5_0& block, const PanelRow& row, int64_t b) {
    const uint32_t high = load_u32(block.qh);
    unpack_nibbles(block.qs, row.q + 32 * b, [high](int nibble, int j) { return (nibble | (((high >> j) & 1) << 4)) - 16; });
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_q5_1(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ5_1, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ5_1& block, const PanelRow& row, int64_t b) {
    const uint32_t high = load_u32(block.qh);
    unpack_nibbles(block.qs, row.q + 32 * b, [high](int nibble, int j) { return nibble | (((high >> j) & 1) << 4); });
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.m);
  });
}

void unpack_q8_0(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ8_0, 32>(rows, row_bytes, n_rows, panel, [](const BlockQ8_0& block, const PanelRow& row, int64_t b) {
    std::memcpy(row.q + 32 * b, block.qs, 32);
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_iq4_nl(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockIQ4_NL, 32>(rows, row_bytes, n_rows, panel, [](const BlockIQ4_NL& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return kIq4nlValues[nibble]; });
    row.d[b] = fp16_to_f32(block.d);
  });
}

void unpack_mxfp4(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockMxfp4, 32>(rows, row_bytes, n_rows, panel, [](const BlockMxfp4& block, const PanelRow& row, int64_t b) {
    unpack_nibbles(block.qs, row.q + 32 * b, [](int nibble, int) { return kMxfp4Values[nibble]; });
    row.d[b] = e8m0_to_f32_half(block.e);
  });
}

// Values 0..3, scale (low nibble) and min (high nibble) per 16 values, in dequantize_row's element order.
void unpack_q2_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ2_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ2_K& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int half = 0; half < 2; ++half) {
      for (int pass = 0; pass < 4; ++pass) {
        for (int l = 0; l < 32; ++l) q[128 * half + 32 * pass + l] = static_cast<int8_t>((block.qs[32 * half + l] >> (2 * pass)) & 3);
      }
    }
    for (int g = 0; g < 16; ++g) set_group(row, 16 * b + g, block.scales[g] & 0xF, block.scales[g] >> 4);
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.dmin);
  });
}

// Values 0..7 standing for −4..3: the offset becomes a min of 4·scale with m = d.
void unpack_q3_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ3_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ3_K& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int half = 0; half < 2; ++half) {
      for (int pass = 0; pass < 4; ++pass) {
        for (int l = 0; l < 32; ++l) {
          const int low = (block.qs[32 * half + l] >> (2 * pass)) & 3;
          const int high = (block.hmask[l] >> (4 * half + pass)) & 1;
          q[128 * half + 32 * pass + l] = static_cast<int8_t>(low | (high << 2));
        }
      }
    }
    for (int g = 0; g < 16; ++g) {
      const int low = g < 8 ? block.scales[g] & 0xF : block.scales[g - 8] >> 4;
      const int high = (block.scales[8 + g % 4] >> (2 * (g / 4))) & 3;
      const int scale = signed_six_bit_scale(low, high);
      set_group(row, 16 * b + g, scale, 4 * scale);
    }
    row.d[b] = row.m[b] = fp16_to_f32(block.d);
  });
}

namespace {

template <typename Block, bool kHasHighBit>
void unpack_q4_k_or_q5_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<Block, kQK_K>(rows, row_bytes, n_rows, panel, [](const Block& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int sub_block = 0; sub_block < 8; ++sub_block) {
      const uint8_t* qs = block.qs + 32 * (sub_block / 2);
      for (int l = 0; l < 32; ++l) {
        int value = (qs[l] >> (4 * (sub_block % 2))) & 0xF;
        if constexpr (kHasHighBit) value |= ((block.qh[l] >> sub_block) & 1) << 4;
        q[32 * sub_block + l] = static_cast<int8_t>(value);
      }
      const KScaleMin packed = unpack_k4_scale_min(sub_block, block.scales);
      set_group(row, 16 * b + 2 * sub_block, packed.scale, packed.min);
      set_group(row, 16 * b + 2 * sub_block + 1, packed.scale, packed.min);
    }
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = fp16_to_f32(block.dmin);
  });
}

}  // namespace

void unpack_q4_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_q4_k_or_q5_k<BlockQ4_K, false>(rows, row_bytes, n_rows, panel);
}

void unpack_q5_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_q4_k_or_q5_k<BlockQ5_K, true>(rows, row_bytes, n_rows, panel);
}

// Values 0..63 standing for −32..31: the offset becomes a min of 32·scale with m = d.
void unpack_q6_k(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockQ6_K, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockQ6_K& block, const PanelRow& row, int64_t b) {
    int8_t* q = row.q + kQK_K * b;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = block.ql + 64 * half;
      const uint8_t* qh = block.qh + 32 * half;
      for (int k = 0; k < 4; ++k) {
        for (int l = 0; l < 32; ++l) {
          const int low = (ql[l + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xF;
          const int high = (qh[l] >> (2 * k)) & 3;
          q[128 * half + 32 * k + l] = static_cast<int8_t>(low | (high << 4));
        }
      }
    }
    for (int g = 0; g < 16; ++g) set_group(row, 16 * b + g, block.scales[g], 32 * block.scales[g]);
    row.d[b] = row.m[b] = fp16_to_f32(block.d);
  });
}

void unpack_iq4_xs(const void* rows, int64_t row_bytes, int64_t n_rows, const WeightPanel& panel) {
  unpack_rows<BlockIQ4_XS, kQK_K>(rows, row_bytes, n_rows, panel, [](const BlockIQ4_XS& block, const PanelRow& row, int64_t b) {
    for (int sub_block = 0; sub_block < 8; ++sub_block) {
      unpack_nibbles(block.qs + 16 * sub_block, row.q + kQK_K * b + 32 * sub_block,
                     [](int nibble, int) { return kIq4nlValues[nibble]; });
      const int low = (block.scales_l[sub_block / 2] >> (4 * (sub_block % 2))) & 0xF;
      const int high = (block.scales_h >> (2 * sub_block)) & 3;
      const int scale = signed_six_bit_scale(low, high);
      set_group(row, 16 * b + 2 * sub_block, scale, 0);
      set_group(row, 16 * b + 2 * sub_block + 1, scale, 0);
    }
    row.d[b] = fp16_to_f32(block.d);
    row.m[b] = 0.0f;
  });
}

}  // namespace hearth::cpu::row_panels
