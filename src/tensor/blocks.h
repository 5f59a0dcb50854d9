#pragma once
// Byte layouts of the quantized block types (spec/quants.md §2-§7), shared by the scalar reference and the
// SIMD kernels. Every struct is packed and its size asserted against the type table, so a block pointer can be
// laid directly over tensor data.
#include <array>
#include <bit>
#include <cstdint>

#include "tensor/types.h"

namespace hearth {

inline constexpr int kQK4_0 = 32;
inline constexpr int kQK4_1 = 32;
inline constexpr int kQK5_0 = 32;
inline constexpr int kQK5_1 = 32;
inline constexpr int kQK8_0 = 32;
inline constexpr int kQK8_1 = 32;
inline constexpr int kQK4_NL = 32;
inline constexpr int kQKMxfp4 = 32;
inline constexpr int kKScaleSize = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

// The non-linear 4-bit codebook of IQ4_NL / IQ4_XS, sorted ascending (the quantizer's search relies on it).
inline constexpr std::array<int8_t, 16> kIq4nlValues = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                         1,    13,   25,  38,  53,  69,  89,  113};
// E2M1 values doubled; the E8M0 block scale is halved to compensate.
inline constexpr std::array<int8_t, 16> kMxfp4Values = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

#pragma pack(push, 1)

struct BlockQ4_0 {
  uint16_t d;                // fp16
  uint8_t qs[kQK4_0 / 2];    // byte j: element j (low nibble), element j+16 (high nibble)
};
struct BlockQ4_1 {
  uint16_t d;                // fp16
  uint16_t m;                // fp16
  uint8_t qs[kQK4_1 / 2];
};
struct BlockQ5_0 {
  uint16_t d;                // fp16
  uint8_t qh[4];             // bit e: fifth bit of element e
  uint8_t qs[kQK5_0 / 2];
};
struct BlockQ5_1 {
  uint16_t d;                // fp16
  uint16_t m;                // fp16
  uint8_t qh[4];
  uint8_t qs[kQK5_1 / 2];
};
struct BlockQ8_0 {
  uint16_t d;                // fp16
  int8_t qs[kQK8_0];
};
struct BlockQ8_1 {
  uint16_t d;                // fp16
  uint16_t s;                // fp16 of d * sum(qs)
  int8_t qs[kQK8_1];
};

struct BlockQ2_K {
  uint8_t scales[kQK_K / 16];  // low nibble scale, high nibble min, per 16 elements
  uint8_t qs[kQK_K / 4];
  uint16_t d;                  // fp16
  uint16_t dmin;               // fp16
};
struct BlockQ3_K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[12];          // 16 six-bit scales, offset by 32
  uint16_t d;                  // fp16
};
struct BlockQ4_K {
  uint16_t d;                  // fp16
  uint16_t dmin;               // fp16
  uint8_t scales[kKScaleSize];
  uint8_t qs[kQK_K / 2];
};
struct BlockQ5_K {
  uint16_t d;                  // fp16
  uint16_t dmin;               // fp16
  uint8_t scales[kKScaleSize];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;                  // fp16
};
struct BlockQ8_K {
  float d;                     // f32, unlike every other block scale
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];   // sum of each group of 16 quants
};

struct BlockIQ4_NL {
  uint16_t d;                  // fp16
  uint8_t qs[kQK4_NL / 2];
};
struct BlockIQ4_XS {
  uint16_t d;                  // fp16
  uint16_t scales_h;           // bits 4-5 of the 8 sub-block scales, two bits each
  uint8_t scales_l[kQK_K / 64];  // bits 0-3 of the sub-block scales, two per byte
  uint8_t qs[kQK_K / 2];
};
struct BlockMxfp4 {
  uint8_t e;                   // E8M0 exponent
  uint8_t qs[kQKMxfp4 / 2];
};

#pragma pack(pop)

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockIQ4_XS) == 136);
static_assert(sizeof(BlockMxfp4) == 17);

// Scale and min of sub-block j (0..7) of a Q4_K / Q5_K block from the packed 12 bytes (spec §4.3).
struct KScaleMin {
  uint8_t scale;
  uint8_t min;
};
inline KScaleMin unpack_k4_scale_min(int j, const uint8_t* packed) {
  if (j < 4) return {static_cast<uint8_t>(packed[j] & 63), static_cast<uint8_t>(packed[j + 4] & 63)};
  return {static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4)),
          static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4))};
}

// MXFP4 block scale 2^(e-128): the E8M0 value halved, as a direct bit pattern so e = 0 and 1 give the exact
// subnormals 2^-128 and 2^-127 (ggml's GGML_E8M0_TO_FP32_HALF).
inline float e8m0_to_f32_half(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<uint32_t>(e - 1) << 23;
  return std::bit_cast<float>(bits);
}

}  // namespace hearth
