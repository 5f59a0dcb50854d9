// Block-wise decoders, bit-exact with ggml's dequantize_row_*: every product is formed in the same order as
// there (e.g. (d * scale) * q), because float multiplication is not associative.
#include <array>
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/quants.h"

namespace hearth {
namespace {

void decode_f32(const uint8_t* src, float* dst, int64_t n) { std::memcpy(dst, src, static_cast<size_t>(n) * 4); }

template <float (*convert)(uint16_t)>
void decode_half(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + 2 * i, 2);
    dst[i] = convert(bits);
  }
}

void decode_q4_0(const BlockQ4_0* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQK4_0) {
    const float d = fp16_to_f32(blocks[b].d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      dst[j] = static_cast<float>((blocks[b].qs[j] & 0xF) - 8) * d;
      dst[j + kQK4_0 / 2] = static_cast<float>((blocks[b].qs[j] >> 4) - 8) * d;
    }
  }
}

void decode_q4_1(const BlockQ4_1* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQK4_1) {
    const float d = fp16_to_f32(blocks[b].d);
    const float m = fp16_to_f32(blocks[b].m);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      dst[j] = static_cast<float>(blocks[b].qs[j] & 0xF) * d + m;
      dst[j + kQK4_1 / 2] = static_cast<float>(blocks[b].qs[j] >> 4) * d + m;
    }
  }
}

uint32_t load_u32(const uint8_t* bytes) {
  uint32_t value;
  std::memcpy(&value, bytes, 4);
  return value;
}

// The 5-bit quants of Q5_0 / Q5_1: nibble j / j+16 plus the matching bit of qh.
int q5_low_half(uint8_t packed, uint32_t high_bits, int j) { return (packed & 0xF) | (((high_bits >> j) & 1) << 4); }
int q5_high_half(uint8_t packed, uint32_t high_bits, int j) {
  return (packed >> 4) | (((high_bits >> (j + 16)) & 1) << 4);
}

void decode_q5_0(const BlockQ5_0* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQK5_0) {
    const float d = fp16_to_f32(blocks[b].d);
    const uint32_t high_bits = load_u32(blocks[b].qh);
    for (int j = 0; j < kQK5_0 / 2; ++j) {
      dst[j] = static_cast<float>(q5_low_half(blocks[b].qs[j], high_bits, j) - 16) * d;
      dst[j + kQK5_0 / 2] = static_cast<float>(q5_high_half(blocks[b].qs[j], high_bits, j) - 16) * d;
    }
  }
}

void decode_q5_1(const BlockQ5_1* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQK5_1) {
    const float d = fp16_to_f32(blocks[b].d);
    const float m = fp16_to_f32(blocks[b].m);
    const uint32_t high_bits = load_u32(blocks[b].qh);
    for (int j = 0; j < kQK5_1 / 2; ++j) {
      dst[j] = static_cast<float>(q5_low_half(blocks[b].qs[j], high_bits, j)) * d + m;
      dst[j + kQK5_1 / 2] = static_cast<float>(q5_high_half(blocks[b].qs[j], high_bits, j)) * d + m;
    }
  }
}

void decode_q8_0(const BlockQ8_0* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQK8_0) {
    const float d = fp16_to_f32(blocks[b].d);
    for (int j = 0; j < kQK8_0; ++j) dst[j] = static_cast<float>(blocks[b].qs[j]) * d;
  }
}

void decode_q2_k(const BlockQ2_K* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b) {
    const BlockQ2_K& block = blocks[b];
    const float d = fp16_to_f32(block.d);
    const float dmin = fp16_to_f32(block.dmin);
    // Each 128-element half reads 32 bytes four times, two bits further each pass; a pass covers two
    // 16-element sub-blocks (bytes 0-15 and 16-31).
    int sub_block = 0;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* qs = block.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2) {
        for (int byte_offset = 0; byte_offset < 32; byte_offset += 16, ++sub_block) {
          const uint8_t packed_scale = block.scales[sub_block];
          const float scale = d * static_cast<float>(packed_scale & 0xF);
          const float min = dmin * static_cast<float>(packed_scale >> 4);
          for (int l = 0; l < 16; ++l) {
            *dst++ = scale * static_cast<float>((qs[byte_offset + l] >> shift) & 3) - min;
          }
        }
      }
    }
  }
}

// The 16 signed 6-bit scales of a Q3_K block (spec §4.3.2): low nibbles in bytes 0-7, high 2 bits in 8-11.
std::array<int, 16> q3_k_scales(const uint8_t* packed) {
  std::array<int, 16> scales{};
  for (int s = 0; s < 16; ++s) {
    const int low = s < 8 ? packed[s] & 0xF : packed[s - 8] >> 4;
    const int high = (packed[8 + s % 4] >> (2 * (s / 4))) & 3;
    scales[s] = (low | (high << 4)) - 32;
  }
  return scales;
}

void decode_q3_k(const BlockQ3_K* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b) {
    const BlockQ3_K& block = blocks[b];
    const float d = fp16_to_f32(block.d);
    const std::array<int, 16> scales = q3_k_scales(block.scales);
    int sub_block = 0;
    int hmask_bit = 0;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* qs = block.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2, ++hmask_bit) {
        for (int byte_offset = 0; byte_offset < 32; byte_offset += 16, ++sub_block) {
          const float scale = d * static_cast<float>(scales[sub_block]);
          for (int l = 0; l < 16; ++l) {
            const int low = (qs[byte_offset + l] >> shift) & 3;
            const bool high_set = (block.hmask[byte_offset + l] >> hmask_bit) & 1;
            *dst++ = scale * static_cast<float>(low - (high_set ? 0 : 4));
          }
        }
      }
    }
  }
}

// Q4_K and Q5_K share the scale layout and the order of elements: each 64-element chunk has 32 bytes whose low
// nibbles are sub-block 2c and high nibbles sub-block 2c+1.
template <typename Block, bool kHasHighBit>
void decode_q4_k_or_q5_k(const Block* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b) {
    const Block& block = blocks[b];
    const float d = fp16_to_f32(block.d);
    const float dmin = fp16_to_f32(block.dmin);
    for (int chunk = 0; chunk < 4; ++chunk) {
      const uint8_t* qs = block.qs + 32 * chunk;
      for (int nibble = 0; nibble < 2; ++nibble) {
        const int sub_block = 2 * chunk + nibble;
        const KScaleMin packed = unpack_k4_scale_min(sub_block, block.scales);
        const float scale = d * static_cast<float>(packed.scale);
        const float min = dmin * static_cast<float>(packed.min);
        for (int l = 0; l < 32; ++l) {
          int q = (qs[l] >> (4 * nibble)) & 0xF;
          if constexpr (kHasHighBit) q += ((block.qh[l] >> sub_block) & 1) ? 16 : 0;
          *dst++ = scale * static_cast<float>(q) - min;
        }
      }
    }
  }
}

void decode_q6_k(const BlockQ6_K* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b) {
    const BlockQ6_K& block = blocks[b];
    const float d = fp16_to_f32(block.d);
    // Per 128-element half: 64 ql bytes, 32 qh bytes and 8 scales. Quarter k of the half takes its low 4 bits
    // from ql bytes 0-31 (k even) or 32-63 (k odd), low nibbles for k < 2, and bits 2k..2k+1 of qh.
    for (int half = 0; half < 2; ++half, dst += 128) {
      const uint8_t* ql = block.ql + 64 * half;
      const uint8_t* qh = block.qh + 32 * half;
      const int8_t* scales = block.scales + 8 * half;
      for (int l = 0; l < 32; ++l) {
        for (int k = 0; k < 4; ++k) {
          const int low = (ql[l + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xF;
          const int high = (qh[l] >> (2 * k)) & 3;
          const float scale = d * static_cast<float>(scales[l / 16 + 2 * k]);
          dst[l + 32 * k] = scale * static_cast<float>((low | (high << 4)) - 32);
        }
      }
    }
  }
}

void decode_iq4_nl(const BlockIQ4_NL* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQK4_NL) {
    const float d = fp16_to_f32(blocks[b].d);
    for (int j = 0; j < kQK4_NL / 2; ++j) {
      dst[j] = d * static_cast<float>(kIq4nlValues[blocks[b].qs[j] & 0xF]);
      dst[j + kQK4_NL / 2] = d * static_cast<float>(kIq4nlValues[blocks[b].qs[j] >> 4]);
    }
  }
}

void decode_iq4_xs(const BlockIQ4_XS* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b) {
    const BlockIQ4_XS& block = blocks[b];
    const float d = fp16_to_f32(block.d);
    for (int sub_block = 0; sub_block < kQK_K / 32; ++sub_block) {
      const int low = (block.scales_l[sub_block / 2] >> (4 * (sub_block % 2))) & 0xF;
      const int high = (block.scales_h >> (2 * sub_block)) & 3;
      const float scale = d * static_cast<float>((low | (high << 4)) - 32);
      const uint8_t* qs = block.qs + 16 * sub_block;
      for (int j = 0; j < 16; ++j) {
        dst[j] = scale * static_cast<float>(kIq4nlValues[qs[j] & 0xF]);
        dst[j + 16] = scale * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
      }
      dst += 32;
    }
  }
}

void decode_mxfp4(const BlockMxfp4* blocks, int64_t nblocks, float* dst) {
  for (int64_t b = 0; b < nblocks; ++b, dst += kQKMxfp4) {
    const float scale = e8m0_to_f32_half(blocks[b].e);
    for (int j = 0; j < kQKMxfp4 / 2; ++j) {
      dst[j] = static_cast<float>(kMxfp4Values[blocks[b].qs[j] & 0xF]) * scale;
      dst[j + kQKMxfp4 / 2] = static_cast<float>(kMxfp4Values[blocks[b].qs[j] >> 4]) * scale;
    }
  }
}

template <typename Block>
const Block* as_blocks(const void* src) {
  return static_cast<const Block*>(src);
}

}  // namespace

Status dequantize_row(TensorType type, const void* src, float* dst, int64_t n) {
  const TypeInfo& info = type_info(type);
  if (!info.dequantizable) return make_error("unsupported tensor type ", info.name);
  if (n < 0 || n % info.block_elements != 0) {
    return make_error("cannot dequantize ", n, " values: not a whole number of ", info.name, " blocks of ",
                      info.block_elements);
  }
  const int64_t nblocks = n / info.block_elements;
  const auto* bytes = static_cast<const uint8_t*>(src);
  switch (type) {
    case TensorType::F32: decode_f32(bytes, dst, n); break;
    case TensorType::F16: decode_half<fp16_to_f32>(bytes, dst, n); break;
    case TensorType::BF16: decode_half<bf16_to_f32>(bytes, dst, n); break;
    case TensorType::Q4_0: decode_q4_0(as_blocks<BlockQ4_0>(src), nblocks, dst); break;
    case TensorType::Q4_1: decode_q4_1(as_blocks<BlockQ4_1>(src), nblocks, dst); break;
    case TensorType::Q5_0: decode_q5_0(as_blocks<BlockQ5_0>(src), nblocks, dst); break;
    case TensorType::Q5_1: decode_q5_1(as_blocks<BlockQ5_1>(src), nblocks, dst); break;
    case TensorType::Q8_0: decode_q8_0(as_blocks<BlockQ8_0>(src), nblocks, dst); break;
    case TensorType::Q2_K: decode_q2_k(as_blocks<BlockQ2_K>(src), nblocks, dst); break;
    case TensorType::Q3_K: decode_q3_k(as_blocks<BlockQ3_K>(src), nblocks, dst); break;
    case TensorType::Q4_K: decode_q4_k_or_q5_k<BlockQ4_K, false>(as_blocks<BlockQ4_K>(src), nblocks, dst); break;
    case TensorType::Q5_K: decode_q4_k_or_q5_k<BlockQ5_K, true>(as_blocks<BlockQ5_K>(src), nblocks, dst); break;
    case TensorType::Q6_K: decode_q6_k(as_blocks<BlockQ6_K>(src), nblocks, dst); break;
    case TensorType::IQ4_NL: decode_iq4_nl(as_blocks<BlockIQ4_NL>(src), nblocks, dst); break;
    case TensorType::IQ4_XS: decode_iq4_xs(as_blocks<BlockIQ4_XS>(src), nblocks, dst); break;
    case TensorType::MXFP4: decode_mxfp4(as_blocks<BlockMxfp4>(src), nblocks, dst); break;
    default: return make_error("unsupported tensor type ", info.name);
  }
  return Status::success();
}

void dequantize_row_q8_1(const BlockQ8_1* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQK8_1; ++b, dst += kQK8_1) {
    const float d = fp16_to_f32(src[b].d);
    for (int j = 0; j < kQK8_1; ++j) dst[j] = static_cast<float>(src[b].qs[j]) * d;
  }
}

}  // namespace hearth
