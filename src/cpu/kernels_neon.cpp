// The NEON kernel table (AArch64, where Advanced SIMD and half-precision conversions are part of the
// baseline). Compiled only for AArch64 targets (isa.cmake); the AArch64 cross build runs it under qemu
// (scripts/test_arm64.sh). See simd_kernels.h for what may be included here.
#include <arm_neon.h>

#include "cpu/install_tables.h"
#include "cpu/kernels_install.h"

namespace hearth::cpu {
namespace {

struct Neon {
  using Reg = float32x4_t;
  using Mask = uint32x4_t;
  static constexpr int64_t kLanes = 4;
  // 12 tokens × 2 vectors = 24 accumulators, + 2 weight vectors + 1 broadcast = 27 of the 32 q registers.
  static constexpr int kGemmRows = 12;

  static Mask lane_mask(int64_t n) {
    const uint32_t lanes[4] = {0, 1, 2, 3};
    return vcltq_u32(vld1q_u32(lanes), vdupq_n_u32(static_cast<uint32_t>(n)));
  }

  static Reg zero() { return vdupq_n_f32(0.0f); }
  static Reg set1(float v) { return vdupq_n_f32(v); }
  static Reg load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, Reg v) { vst1q_f32(p, v); }
  static Reg load_partial(const float* p, int64_t n) {
    float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int64_t i = 0; i < n; ++i) lanes[i] = p[i];
    return vld1q_f32(lanes);
  }
  static void store_partial(float* p, Reg v, int64_t n) {
    float lanes[4];
    vst1q_f32(lanes, v);
    for (int64_t i = 0; i < n; ++i) p[i] = lanes[i];
  }

  static uint16x4_t load_halves_partial(const uint16_t* p, int64_t n) {
    uint16_t halves[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < n; ++i) halves[i] = p[i];
    return vld1_u16(halves);
  }
  static void store_halves_partial(uint16_t* p, uint16x4_t v, int64_t n) {
    uint16_t halves[4];
    vst1_u16(halves, v);
    for (int64_t i = 0; i < n; ++i) p[i] = halves[i];
  }

  // FCVT rounds to nearest even under Linux's default FPCR, as the reference conversions.
  static Reg f16_to_f32(uint16x4_t h) { return vcvt_f32_f16(vreinterpret_f16_u16(h)); }
  static uint16x4_t f32_to_f16(Reg v) { return vreinterpret_u16_f16(vcvt_f16_f32(v)); }
  static Reg bf16_to_f32(uint16x4_t h) { return vreinterpretq_f32_u32(vshll_n_u16(h, 16)); }
  // Round to nearest even on the bit pattern, NaN kept quiet, as f32_to_bf16 in tensor/fp16.h.
  static uint16x4_t f32_to_bf16(Reg v) {
    const uint32x4_t bits = vreinterpretq_u32_f32(v);
    const uint32x4_t lsb = vandq_u32(vshrq_n_u32(bits, 16), vdupq_n_u32(1));
    const uint32x4_t rounded = vshrq_n_u32(vaddq_u32(vaddq_u32(bits, vdupq_n_u32(0x7FFF)), lsb), 16);
    const uint32x4_t quiet_nan = vorrq_u32(vshrq_n_u32(bits, 16), vdupq_n_u32(0x40));
    const uint32x4_t is_nan = vcgtq_u32(vandq_u32(bits, vdupq_n_u32(0x7FFFFFFF)), vdupq_n_u32(0x7F800000));
    return vmovn_u32(vbslq_u32(is_nan, quiet_nan, rounded));
  }

  static Reg load_f16(const uint16_t* p) { return f16_to_f32(vld1_u16(p)); }
  static Reg load_f16_partial(const uint16_t* p, int64_t n) { return f16_to_f32(load_halves_partial(p, n)); }
  static void store_f16(uint16_t* p, Reg v) { vst1_u16(p, f32_to_f16(v)); }
  static void store_f16_partial(uint16_t* p, Reg v, int64_t n) { store_halves_partial(p, f32_to_f16(v), n); }
  static Reg load_bf16(const uint16_t* p) { return bf16_to_f32(vld1_u16(p)); }
  static Reg load_bf16_partial(const uint16_t* p, int64_t n) { return bf16_to_f32(load_halves_partial(p, n)); }
  static void store_bf16(uint16_t* p, Reg v) { vst1_u16(p, f32_to_bf16(v)); }
  static void store_bf16_partial(uint16_t* p, Reg v, int64_t n) { store_halves_partial(p, f32_to_bf16(v), n); }

  static Reg add(Reg a, Reg b) { return vaddq_f32(a, b); }
  static Reg sub(Reg a, Reg b) { return vsubq_f32(a, b); }
  static Reg mul(Reg a, Reg b) { return vmulq_f32(a, b); }
  static Reg div(Reg a, Reg b) { return vdivq_f32(a, b); }
  static Reg mul_add(Reg a, Reg b, Reg c) { return vfmaq_f32(c, a, b); }
  static Reg neg_mul_add(Reg a, Reg b, Reg c) { return vfmsq_f32(c, a, b); }
  // x86's min/max return the second operand when one is NaN; the kernels only rely on that to clamp, where
  // FMINNM/FMAXNM's "the number wins" gives the same result.
  static Reg min(Reg a, Reg b) { return vminnmq_f32(a, b); }
  static Reg max(Reg a, Reg b) { return vmaxnmq_f32(a, b); }
  static Reg abs(Reg a) { return vabsq_f32(a); }

  static Mask less(Reg a, Reg b) { return vcltq_f32(a, b); }
  static Mask first_lanes(int64_t n) { return lane_mask(n); }
  static Reg select(Mask m, Reg if_true, Reg if_false) { return vbslq_f32(m, if_true, if_false); }

  static Reg round_nearest(Reg v) { return vrndnq_f32(v); }
  static Reg pow2(Reg n) {
    const int32x4_t biased = vaddq_s32(vcvtnq_s32_f32(n), vdupq_n_s32(127));
    return vreinterpretq_f32_s32(vshlq_n_s32(biased, 23));
  }
  static Reg split_exponent(Reg x, Reg& exponent) {
    const uint32x4_t bits = vreinterpretq_u32_f32(x);
    const int32x4_t biased = vreinterpretq_s32_u32(vandq_u32(vshrq_n_u32(bits, 23), vdupq_n_u32(0xFF)));
    exponent = vcvtq_f32_s32(vsubq_s32(biased, vdupq_n_s32(126)));
    const uint32x4_t mantissa = vandq_u32(bits, vdupq_n_u32(0x807FFFFFu));
    return vreinterpretq_f32_u32(vorrq_u32(mantissa, vdupq_n_u32(0x3F000000)));
  }
  static Reg swap_pairs(Reg v) { return vrev64q_f32(v); }

  static float reduce_add(Reg v) { return vaddvq_f32(v); }
  static float reduce_max(Reg v) { return vmaxvq_f32(v); }
  static int64_t first_lane_equal(Reg v, Reg value) {
    // One 16-bit field per lane, all ones where equal.
    const uint64_t fields = vget_lane_u64(vreinterpret_u64_u16(vmovn_u32(vceqq_f32(v, value))), 0);
    return fields == 0 ? -1 : __builtin_ctzll(fields) / 16;
  }
};

}  // namespace

void install_neon_kernels(Kernels& table) {
  table.isa = Isa::neon;
  simd::install_tables<Neon>(table);
}

}  // namespace hearth::cpu
