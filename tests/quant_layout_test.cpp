// Bit layouts and exact arithmetic of the decoders: hearth's block-wise dequantize_row against the independent
// per-element decoder of support/element_decoder.h on random blocks, the layout self-checks of spec §11, and the
// fp16 / bf16 conversions against brute-force references.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "support/element_decoder.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"
#include "tensor/quants.h"

namespace hearth {
namespace {

std::vector<const TypeInfo*> dequantizable_types() {
  std::vector<const TypeInfo*> types;
  for (uint32_t id = 0; id < 64; ++id) {
    const TypeInfo* info = find_type(id);
    if (info != nullptr && info->dequantizable) types.push_back(info);
  }
  return types;
}

// Byte offsets of the fp16 fields that scale a block's values (spec §2); random bytes there could be inf/NaN.
std::vector<int> fp16_scale_offsets(TensorType type) {
  switch (type) {
    case TensorType::F16: case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0:
    case TensorType::IQ4_NL: case TensorType::IQ4_XS:
      return {0};
    case TensorType::Q4_1: case TensorType::Q5_1: case TensorType::Q4_K: case TensorType::Q5_K:
      return {0, 2};
    case TensorType::Q2_K: return {80, 82};
    case TensorType::Q3_K: return {108};
    case TensorType::Q6_K: return {208};
    default: return {};
  }
}

std::vector<uint8_t> random_blocks(const TypeInfo& info, int nblocks, std::mt19937& rng) {
  std::vector<uint8_t> bytes(static_cast<size_t>(nblocks) * info.block_bytes);
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
  for (int block = 0; block < nblocks; ++block) {
    for (const int offset : fp16_scale_offsets(info.type)) {
      uint8_t& high = bytes[static_cast<size_t>(block) * info.block_bytes + offset + 1];
      if ((high & 0x7C) == 0x7C) high &= static_cast<uint8_t>(~0x40);  // exponent 31 (inf/NaN) -> 15
    }
  }
  return bytes;
}

TEST(QuantLayout, DequantizeMatchesElementFormulasOnRandomBlocks) {
  std::mt19937 rng(1234);
  for (const TypeInfo* info : dequantizable_types()) {
    SCOPED_TRACE(info->name);
    ASSERT_TRUE(test::element_decoder_supports(info->type));
    const int nblocks = info->block_elements == 1 ? 4096 : 257;
    const std::vector<uint8_t> bytes = random_blocks(*info, nblocks, rng);
    const int64_t n = static_cast<int64_t>(nblocks) * info->block_elements;
    std::vector<float> decoded(static_cast<size_t>(n));
    ASSERT_TRUE(dequantize_row(info->type, bytes.data(), decoded.data(), n).ok());
    int mismatches = 0;
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* block = bytes.data() + (i / info->block_elements) * info->block_bytes;
      const float expected = test::decode_element(info->type, block, static_cast<int>(i % info->block_elements));
      const float actual = decoded[static_cast<size_t>(i)];
      if (std::bit_cast<uint32_t>(expected) != std::bit_cast<uint32_t>(actual) && mismatches++ < 3) {
        ADD_FAILURE() << "element " << i << ": " << actual << " != " << expected;
      }
    }
    EXPECT_EQ(mismatches, 0);
  }
}

TEST(QuantLayout, BlockStructsMatchTheTypeTable) {
  EXPECT_EQ(sizeof(BlockQ4_0), type_info(TensorType::Q4_0).block_bytes);
  EXPECT_EQ(sizeof(BlockQ4_1), type_info(TensorType::Q4_1).block_bytes);
  EXPECT_EQ(sizeof(BlockQ5_0), type_info(TensorType::Q5_0).block_bytes);
  EXPECT_EQ(sizeof(BlockQ5_1), type_info(TensorType::Q5_1).block_bytes);
  EXPECT_EQ(sizeof(BlockQ8_0), type_info(TensorType::Q8_0).block_bytes);
  EXPECT_EQ(sizeof(BlockQ8_1), type_info(TensorType::Q8_1).block_bytes);
  EXPECT_EQ(sizeof(BlockQ2_K), type_info(TensorType::Q2_K).block_bytes);
  EXPECT_EQ(sizeof(BlockQ3_K), type_info(TensorType::Q3_K).block_bytes);
  EXPECT_EQ(sizeof(BlockQ4_K), type_info(TensorType::Q4_K).block_bytes);
  EXPECT_EQ(sizeof(BlockQ5_K), type_info(TensorType::Q5_K).block_bytes);
  EXPECT_EQ(sizeof(BlockQ6_K), type_info(TensorType::Q6_K).block_bytes);
  EXPECT_EQ(sizeof(BlockQ8_K), type_info(TensorType::Q8_K).block_bytes);
  EXPECT_EQ(sizeof(BlockIQ4_NL), type_info(TensorType::IQ4_NL).block_bytes);
  EXPECT_EQ(sizeof(BlockIQ4_XS), type_info(TensorType::IQ4_XS).block_bytes);
  EXPECT_EQ(sizeof(BlockMxfp4), type_info(TensorType::MXFP4).block_bytes);
}

TEST(QuantLayout, OtherTypesAreRejectedByName) {
  std::vector<float> out(256);
  const std::vector<uint8_t> zeros(4096);
  for (const TensorType type : {TensorType::Q8_1, TensorType::Q8_K, TensorType::IQ2_XXS, TensorType::IQ3_S,
                                TensorType::IQ1_M, TensorType::TQ1_0, TensorType::NVFP4, TensorType::I8}) {
    const Status status = dequantize_row(type, zeros.data(), out.data(), type_info(type).block_elements);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error(), "unsupported tensor type " + std::string(type_info(type).name));
  }
  EXPECT_FALSE(dequantize_row(TensorType::Q4_0, zeros.data(), out.data(), 48).ok());
}

std::vector<float> decode_one_block(TensorType type, const void* block) {
  std::vector<float> out(type_info(type).block_elements);
  EXPECT_TRUE(dequantize_row(type, block, out.data(), static_cast<int64_t>(out.size())).ok());
  return out;
}

// Spec §11: Q4_K and Q5_K element 32 uses sc[1] and the high nibble of qs[0].
TEST(QuantLayout, KQuantElement32UsesSecondScaleAndHighNibble) {
  BlockQ4_K q4{};
  q4.d = f32_to_fp16(1.0f);
  q4.scales[1] = 1;  // sc[1] = 1, every other scale and min 0
  q4.qs[0] = 0x50;
  std::vector<float> values = decode_one_block(TensorType::Q4_K, &q4);
  EXPECT_EQ(values[32], 5.0f);
  EXPECT_EQ(values[0], 0.0f);

  BlockQ5_K q5{};
  q5.d = f32_to_fp16(1.0f);
  q5.scales[1] = 1;
  q5.qs[0] = 0x50;
  q5.qh[0] = 0x02;  // fifth bit of sub-block 1, element 0
  values = decode_one_block(TensorType::Q5_K, &q5);
  EXPECT_EQ(values[32], 21.0f);
}

// Spec §11: Q6_K element 64 uses the high nibble of ql[0], bits 4-5 of qh[0] and scales[4].
TEST(QuantLayout, Q6KElement64) {
  BlockQ6_K block{};
  block.d = f32_to_fp16(1.0f);
  block.scales[4] = 1;
  block.ql[0] = 0x30;
  block.qh[0] = 0x20;
  const std::vector<float> values = decode_one_block(TensorType::Q6_K, &block);
  EXPECT_EQ(values[64], 3.0f);  // (3 | 2 << 4) - 32
  EXPECT_EQ(values[65], -32.0f);
  EXPECT_EQ(values[0], 0.0f);
}

// Spec §11: Q3_K element 33 uses hmask[1] bit 1 (set means "do not subtract 4").
TEST(QuantLayout, Q3KElement33UsesHmaskByte1Bit1) {
  BlockQ3_K block{};
  block.d = f32_to_fp16(1.0f);
  block.scales[2] = 1;   // low nibble of sub-block 2's scale
  block.scales[10] = 2;  // its top two bits: (1 | 2 << 4) - 32 = 1
  block.qs[1] = 0x08;    // element 33 = byte 1, bits 2-3
  block.hmask[1] = 0x02;
  EXPECT_EQ(decode_one_block(TensorType::Q3_K, &block)[33], 2.0f);
  block.hmask[1] = 0;
  EXPECT_EQ(decode_one_block(TensorType::Q3_K, &block)[33], -2.0f);
}

TEST(QuantLayout, Mxfp4ScaleIsTwoToTheEMinus128) {
  for (int e = 0; e < 256; ++e) {
    EXPECT_EQ(e8m0_to_f32_half(static_cast<uint8_t>(e)), std::ldexp(1.0f, e - 128)) << e;
  }
}

// Brute-force fp16 rounding: the finite half nearest to |x| (ties to the even code), where the code after
// 65504 (inf) stands for 65536 as IEEE's overflow rule says.
uint16_t brute_force_to_half(float x) {
  const double magnitude = std::fabs(static_cast<double>(x));
  const auto value_of = [](uint16_t code) { return code == 0x7C00 ? 65536.0 : test::reference_half_to_float(code); };
  uint16_t below = 0;
  for (uint16_t step = 0x4000; step > 0; step >>= 1) {
    const auto candidate = static_cast<uint16_t>(below + step);
    if (candidate <= 0x7C00 && value_of(candidate) <= magnitude) below = candidate;
  }
  uint16_t code = below;
  if (below < 0x7C00) {
    const double down = magnitude - value_of(below);
    const double up = value_of(static_cast<uint16_t>(below + 1)) - magnitude;
    if (up < down || (up == down && (below & 1))) code = static_cast<uint16_t>(below + 1);
  }
  return static_cast<uint16_t>(code | (std::signbit(x) ? 0x8000 : 0));
}

TEST(QuantLayout, Fp16DecodeMatchesIeeeDefinitionForAllHalves) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float expected = test::reference_half_to_float(static_cast<uint16_t>(h));
    const float actual = fp16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(actual)) << h;
      EXPECT_EQ(std::bit_cast<uint32_t>(actual), ((h & 0x8000u) << 16) | 0x7F800000u | ((h & 0x3FFu) << 13)) << h;
    } else {
      ASSERT_EQ(std::bit_cast<uint32_t>(actual), std::bit_cast<uint32_t>(expected)) << h;
    }
  }
}

TEST(QuantLayout, Fp16EncodeRoundsToNearestEvenForAllHalvesAndMidpoints) {
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    const float value = fp16_to_f32(static_cast<uint16_t>(h));
    ASSERT_EQ(f32_to_fp16(value), h);
    ASSERT_EQ(f32_to_fp16(-value), h | 0x8000);
    // The midpoint to the next code (exact in float) and its float neighbours.
    const double next = h + 1 == 0x7C00 ? 65536.0 : fp16_to_f32(static_cast<uint16_t>(h + 1));
    const auto midpoint = static_cast<float>((value + next) / 2);
    for (const float x : {midpoint, std::nextafter(midpoint, 0.0f), std::nextafter(midpoint, 1e30f)}) {
      ASSERT_EQ(f32_to_fp16(x), brute_force_to_half(x)) << x;
      ASSERT_EQ(f32_to_fp16(-x), brute_force_to_half(-x)) << x;
    }
  }
  EXPECT_EQ(f32_to_fp16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(f32_to_fp16(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_EQ(f32_to_fp16(1e30f), 0x7C00);
  EXPECT_EQ(f32_to_fp16(std::numeric_limits<float>::denorm_min()), 0);
  const uint16_t nan = f32_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x3FF, 0);
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits(0, 0x7F7FFFFF);
  for (int i = 0; i < 200000; ++i) {
    const float x = std::bit_cast<float>(bits(rng) | (i % 2 ? 0x80000000u : 0));
    ASSERT_EQ(f32_to_fp16(x), brute_force_to_half(x)) << x;
  }
}

// bf16 keeps the top 16 bits of a float; rounding is to nearest even on the dropped 16 bits.
TEST(QuantLayout, Bf16ConversionsForAllCodesAndMidpoints) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const float value = bf16_to_f32(static_cast<uint16_t>(b));
    ASSERT_EQ(std::bit_cast<uint32_t>(value), b << 16);
    if (std::isnan(value)) {
      const uint16_t quiet = f32_to_bf16(value);
      EXPECT_EQ(quiet, b | 0x40) << b;
      continue;
    }
    ASSERT_EQ(f32_to_bf16(value), b);
    if ((b & 0x7FFF) >= 0x7F80) continue;  // no midpoint above the largest finite or inf
    const uint32_t midpoint = (b << 16) | 0x8000;
    const uint16_t even = (b & 1) ? static_cast<uint16_t>(b + 1) : static_cast<uint16_t>(b);
    ASSERT_EQ(f32_to_bf16(std::bit_cast<float>(midpoint)), even) << b;
    ASSERT_EQ(f32_to_bf16(std::bit_cast<float>(midpoint - 1)), b) << b;
    ASSERT_EQ(f32_to_bf16(std::bit_cast<float>(midpoint + 1)), static_cast<uint16_t>(b + 1)) << b;
  }
}

}  // namespace
}  // namespace hearth
