#pragma once
// An independent decoder for the quantized tensor types, written straight from the per-element formulas of
// spec/quants.md (§3, §4, §6, §7): value of element e of one block, with no shared code with src/tensor (its
// own fp16 decoding and byte reads). Tests compare hearth's block-wise dequantize_row against it bit for bit,
// so the products are formed in the order the spec writes them (d·sc·q is (d·sc)·q).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "tensor/types.h"

namespace hearth::test {

// binary16 → float from the IEEE definition: (-1)^s · 2^(E-15) · (1 + M/1024), or 2^-14 · M/1024 if E = 0.
inline float reference_half_to_float(uint16_t h) {
  const bool negative = (h & 0x8000) != 0;
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  float magnitude;
  if (exponent == 0x1F) {
    magnitude = mantissa == 0 ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
  } else if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  } else {
    magnitude = std::ldexp(static_cast<float>(1024 + mantissa), exponent - 25);
  }
  return negative ? -magnitude : magnitude;
}

namespace element_decoder_detail {

inline uint16_t u16_at(const uint8_t* block, int offset) {
  return static_cast<uint16_t>(block[offset] | (block[offset + 1] << 8));
}
inline float half_at(const uint8_t* block, int offset) { return reference_half_to_float(u16_at(block, offset)); }
inline int lo(uint8_t b) { return b & 0x0F; }
inline int hi(uint8_t b) { return b >> 4; }
// The nibble of a 32-element half-split block: byte e mod 16, low nibble for e < 16.
inline int split_nibble(const uint8_t* qs, int e) { return e < 16 ? lo(qs[e % 16]) : hi(qs[e % 16]); }

constexpr int kIq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
constexpr int kFp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// Spec §4.3 table: sub-block j of Q4_K / Q5_K.
inline void k4_scale_min(const uint8_t* scales, int j, int& sc, int& mn) {
  if (j < 4) {
    sc = scales[j] & 63;
    mn = scales[j + 4] & 63;
  } else {
    sc = lo(scales[j + 4]) | ((scales[j - 4] >> 6) << 4);
    mn = hi(scales[j + 4]) | ((scales[j] >> 6) << 4);
  }
}

}  // namespace element_decoder_detail

inline bool element_decoder_supports(TensorType type) {
  switch (type) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16:
    case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1: case TensorType::Q8_0:
    case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K:
    case TensorType::IQ4_NL: case TensorType::IQ4_XS: case TensorType::MXFP4:
      return true;
    default:
      return false;
  }
}

// Value of element e (0 <= e < block size) of the block starting at `block`.
inline float decode_element(TensorType type, const uint8_t* block, int e) {
  using namespace element_decoder_detail;
  switch (type) {
    case TensorType::F32: {
      float value;
      std::memcpy(&value, block, 4);
      return value;
    }
    case TensorType::F16: return half_at(block, 0);
    case TensorType::BF16: {
      const uint32_t bits = static_cast<uint32_t>(u16_at(block, 0)) << 16;
      float value;
      std::memcpy(&value, &bits, 4);
      return value;
    }
    case TensorType::Q4_0: return static_cast<float>(split_nibble(block + 2, e) - 8) * half_at(block, 0);
    case TensorType::Q4_1:
      return static_cast<float>(split_nibble(block + 4, e)) * half_at(block, 0) + half_at(block, 2);
    case TensorType::Q5_0: {
      const int bit = (block[2 + e / 8] >> (e % 8)) & 1;  // bit e of qh read as a little-endian u32
      return static_cast<float>(split_nibble(block + 6, e) + 16 * bit - 16) * half_at(block, 0);
    }
    case TensorType::Q5_1: {
      const int bit = (block[4 + e / 8] >> (e % 8)) & 1;
      return static_cast<float>(split_nibble(block + 8, e) + 16 * bit) * half_at(block, 0) + half_at(block, 2);
    }
    case TensorType::Q8_0: return static_cast<float>(static_cast<int8_t>(block[2 + e])) * half_at(block, 0);
    case TensorType::Q2_K: {
      const uint8_t* scales = block;
      const uint8_t* qs = block + 16;
      const int s = e / 16, h = e / 128, r = e % 128, g = r / 32, l = r % 32;
      const int q = (qs[32 * h + l] >> (2 * g)) & 3;
      return half_at(block, 80) * static_cast<float>(lo(scales[s])) * static_cast<float>(q) -
             half_at(block, 82) * static_cast<float>(hi(scales[s]));
    }
    case TensorType::Q3_K: {
      const uint8_t* hmask = block;
      const uint8_t* qs = block + 32;
      const uint8_t* scales = block + 96;
      const int s = e / 16;
      const int low4 = s < 8 ? lo(scales[s]) : hi(scales[s - 8]);
      const int high2 = (scales[8 + s % 4] >> (2 * (s / 4))) & 3;
      const int sc = (low4 | (high2 << 4)) - 32;
      const int h = e / 128, r = e % 128, g = r / 32, l = r % 32;
      const int low2 = (qs[32 * h + l] >> (2 * g)) & 3;
      const int hbit = (hmask[e % 32] >> (e / 32)) & 1;
      const int q = low2 - (hbit ? 0 : 4);
      return half_at(block, 108) * static_cast<float>(sc) * static_cast<float>(q);
    }
    case TensorType::Q4_K:
    case TensorType::Q5_K: {
      const bool five_bit = type == TensorType::Q5_K;
      const uint8_t* scales = block + 4;
      const uint8_t* qh = block + 16;
      const uint8_t* qs = block + (five_bit ? 48 : 16);
      const int c = e / 64, l = e % 32, u = (e % 64) / 32, j = 2 * c + u;
      int q = u == 0 ? lo(qs[32 * c + l]) : hi(qs[32 * c + l]);
      if (five_bit) q += 16 * ((qh[l] >> (2 * c + u)) & 1);
      int sc = 0, mn = 0;
      k4_scale_min(scales, j, sc, mn);
      return half_at(block, 0) * static_cast<float>(sc) * static_cast<float>(q) -
             half_at(block, 2) * static_cast<float>(mn);
    }
    case TensorType::Q6_K: {
      const uint8_t* ql = block;
      const uint8_t* qh = block + 128;
      const auto* scales = reinterpret_cast<const int8_t*>(block + 192);
      const int h = e / 128, r = e % 128, k = r / 32, l = r % 32;
      const uint8_t low_byte = ql[64 * h + l + 32 * (k & 1)];
      const int low4 = k < 2 ? lo(low_byte) : hi(low_byte);
      const int high2 = (qh[32 * h + l] >> (2 * k)) & 3;
      const int q = (low4 | (high2 << 4)) - 32;
      return half_at(block, 208) * static_cast<float>(scales[e / 16]) * static_cast<float>(q);
    }
    case TensorType::IQ4_NL: return half_at(block, 0) * static_cast<float>(kIq4nl[split_nibble(block + 2, e)]);
    case TensorType::IQ4_XS: {
      const uint16_t scales_h = u16_at(block, 2);
      const uint8_t* scales_l = block + 4;
      const uint8_t* qs = block + 8;
      const int b = e / 32, i = e % 32;
      const int ls = ((scales_l[b / 2] >> (4 * (b % 2))) & 0xF) | (((scales_h >> (2 * b)) & 3) << 4);
      const float dl = half_at(block, 0) * static_cast<float>(ls - 32);
      const uint8_t byte = qs[16 * b + i % 16];
      return dl * static_cast<float>(kIq4nl[i < 16 ? lo(byte) : hi(byte)]);
    }
    case TensorType::MXFP4: {
      const float s = std::ldexp(1.0f, static_cast<int>(block[0]) - 128);
      return static_cast<float>(kFp4[split_nibble(block + 1, e)]) * s;
    }
    default:
      return std::numeric_limits<float>::quiet_NaN();
  }
}

}  // namespace hearth::test
