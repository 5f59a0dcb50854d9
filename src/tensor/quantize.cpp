// quantize_row: checks the request and hands it to the per-type reference quantizer (quantizers.h).
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/quantizers.h"
#include "tensor/quants.h"

namespace hearth {
namespace {

template <uint16_t (*convert)(float)>
void encode_half(const float* src, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t bits = convert(src[i]);
    std::memcpy(dst + 2 * i, &bits, 2);
  }
}

template <typename Block>
Block* as_blocks(void* dst) {
  return static_cast<Block*>(dst);
}

}  // namespace

bool can_quantize(TensorType type) {
  switch (type) {
    case TensorType::F32:
    case TensorType::F16:
    case TensorType::BF16:
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1:
    case TensorType::Q8_0:
    case TensorType::Q8_1:
    case TensorType::Q2_K:
    case TensorType::Q3_K:
    case TensorType::Q4_K:
    case TensorType::Q5_K:
    case TensorType::Q6_K:
    case TensorType::Q8_K:
    case TensorType::IQ4_NL:
    case TensorType::IQ4_XS:
      return true;
    default:
      return false;
  }
}

Result<uint64_t> quantize_row(TensorType type, const float* src, void* dst, int64_t n) {
  const TypeInfo& info = type_info(type);
  if (!can_quantize(type)) return make_error("cannot quantize to tensor type ", info.name);
  Result<uint64_t> bytes = row_bytes(type, n);
  if (!bytes) return bytes;
  switch (type) {
    case TensorType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); break;
    case TensorType::F16: encode_half<f32_to_fp16>(src, static_cast<uint8_t*>(dst), n); break;
    case TensorType::BF16: encode_half<f32_to_bf16>(src, static_cast<uint8_t*>(dst), n); break;
    case TensorType::Q4_0: quant::quantize_q4_0(src, as_blocks<BlockQ4_0>(dst), n); break;
    case TensorType::Q4_1: quant::quantize_q4_1(src, as_blocks<BlockQ4_1>(dst), n); break;
    case TensorType::Q5_0: quant::quantize_q5_0(src, as_blocks<BlockQ5_0>(dst), n); break;
    case TensorType::Q5_1: quant::quantize_q5_1(src, as_blocks<BlockQ5_1>(dst), n); break;
    case TensorType::Q8_0: quant::quantize_q8_0(src, as_blocks<BlockQ8_0>(dst), n); break;
    case TensorType::Q8_1: quant::quantize_q8_1(src, as_blocks<BlockQ8_1>(dst), n); break;
    case TensorType::Q2_K: quant::quantize_q2_k(src, as_blocks<BlockQ2_K>(dst), n); break;
    case TensorType::Q3_K: quant::quantize_q3_k(src, as_blocks<BlockQ3_K>(dst), n); break;
    case TensorType::Q4_K: quant::quantize_q4_k(src, as_blocks<BlockQ4_K>(dst), n); break;
    case TensorType::Q5_K: quant::quantize_q5_k(src, as_blocks<BlockQ5_K>(dst), n); break;
    case TensorType::Q6_K: quant::quantize_q6_k(src, as_blocks<BlockQ6_K>(dst), n); break;
    case TensorType::Q8_K: quant::quantize_q8_k(src, as_blocks<BlockQ8_K>(dst), n); break;
    case TensorType::IQ4_NL: quant::quantize_iq4_nl(src, as_blocks<BlockIQ4_NL>(dst), n); break;
    case TensorType::IQ4_XS: quant::quantize_iq4_xs(src, as_blocks<BlockIQ4_XS>(dst), n); break;
    default: break;  // excluded by can_quantize
  }
  return bytes;
}

}  // namespace hearth
