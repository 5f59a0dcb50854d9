// Round-to-nearest quantizers of the 32-element legacy weight formats (spec §3). The float-to-integer
// truncations of x*id + 0.5 (rather than a rounding function) are what ggml does and are kept for identical
// quants.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/quantizers.h"

namespace hearth::quant {
namespace {

// The element with the largest magnitude (first one on ties), with its sign.
float signed_absmax(const float* x, int n) {
  float amax = 0;
  float max = 0;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

struct Range {
  float min = FLT_MAX;
  float max = -FLT_MAX;
};

Range value_range(const float* x, int n) {
  Range range;
  for (int j = 0; j < n; ++j) {
    if (x[j] < range.min) range.min = x[j];
    if (x[j] > range.max) range.max = x[j];
  }
  return range;
}

// Packs 32 quants: byte j holds element j in its low nibble and element j+16 in its high nibble; the fifth
// bits, when the format has them, go to bit j / j+16 of a 32-bit word.
void pack_nibbles(const uint8_t* q, uint8_t* qs) {
  for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>((q[j] & 0xF) | ((q[j + 16] & 0xF) << 4));
}

void pack_fifth_bits(const uint8_t* q, uint8_t* qh) {
  uint32_t bits = 0;
  for (int j = 0; j < 32; ++j) bits |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
  std::memcpy(qh, &bits, 4);
}

// Symmetric formats: d = max / -half_range so the largest-magnitude element maps to quant 0.
// Returns the fp16 scale by value: a pointer to a packed block's field may be misaligned.
uint16_t quantize_symmetric(const float* x, int half_range, uint8_t* q) {
  const float d = signed_absmax(x, 32) / static_cast<float>(-half_range);
  const float id = d != 0 ? 1.0f / d : 0.0f;
  const float offset = static_cast<float>(half_range) + 0.5f;
  for (int j = 0; j < 32; ++j) {
    q[j] = static_cast<uint8_t>(std::min(2 * half_range - 1, static_cast<int>(x[j] * id + offset)));
  }
  return f32_to_fp16(d);
}

// Formats with a minimum: d = (max - min) / levels, quants count up from min.
struct ScaleAndMin {
  uint16_t d;
  uint16_t m;
};

ScaleAndMin quantize_with_min(const float* x, int levels, uint8_t* q) {
  const Range range = value_range(x, 32);
  const float d = (range.max - range.min) / static_cast<float>(levels);
  const float id = d != 0 ? 1.0f / d : 0.0f;
  for (int j = 0; j < 32; ++j) q[j] = static_cast<uint8_t>(static_cast<int>((x[j] - range.min) * id + 0.5f));
  return {f32_to_fp16(d), f32_to_fp16(range.min)};
}

}  // namespace

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK4_0; ++b, x += kQK4_0) {
    uint8_t q[32];
    y[b].d = quantize_symmetric(x, 8, q);
    pack_nibbles(q, y[b].qs);
  }
}

void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK5_0; ++b, x += kQK5_0) {
    uint8_t q[32];
    y[b].d = quantize_symmetric(x, 16, q);
    pack_nibbles(q, y[b].qs);
    pack_fifth_bits(q, y[b].qh);
  }
}

void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK4_1; ++b, x += kQK4_1) {
    uint8_t q[32];
    const ScaleAndMin scale = quantize_with_min(x, 15, q);
    y[b].d = scale.d;
    y[b].m = scale.m;
    for (uint8_t& quant : q) quant = std::min<uint8_t>(15, quant);
    pack_nibbles(q, y[b].qs);
  }
}

void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t n) {
  for (int64_t b = 0; b < n / kQK5_1; ++b, x += kQK5_1) {
    uint8_t q[32];
    const ScaleAndMin scale = quantize_with_min(x, 31, q);
    y[b].d = scale.d;
    y[b].m = scale.m;
    pack_nibbles(q, y[b].qs);
    pack_fifth_bits(q, y[b].qh);
  }
}

}  // namespace hearth::quant
