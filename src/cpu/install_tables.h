#pragma once
// Fills a kernel table from the templates of simd_kernels.h and simd_linear.h for one vector type.
// Included only by the per-ISA translation units. Whole arrays are assigned at once because
// std::array::operator[] is an inline function that must not be compiled with ISA flags (simd_kernels.h).
#include "cpu/kernels.h"
#include "cpu/simd_kernels.h"
#include "cpu/simd_linear.h"
#include "cpu/simd_sequence.h"

namespace hearth::cpu::simd {

template <class V>
void install_tables(Kernels& table) {
  table.add = add<V>;
  table.mul = mul<V>;
  table.scale = scale<V>;
  table.clamp = clamp<V>;
  table.softcap = softcap<V>;
  table.unary = {map<V, Silu<V>>, map<V, GeluTanh<V>>, map<V, GeluQuick<V>>,
                 map<V, Sigmoid<V>>, map<V, Softplus<V>>, map<V, Tanh<V>>};
  table.glu = {glu<V, Silu<V>>, glu<V, GeluTanh<V>>};
  table.rms_norm = rms_norm<V>;
  table.layer_norm = layer_norm<V>;
  table.l2_norm = l2_norm<V>;
  table.softmax = softmax<V>;
  table.rope_neox = rope_neox<V>;
  table.rope_adjacent = rope_adjacent<V>;
  table.argmax = argmax<V>;
  table.f32_to_f16 = f32_to_f16<V>;
  table.f16_to_f32 = f16_to_f32<V>;
  table.f32_to_bf16 = f32_to_bf16<V>;
  table.bf16_to_f32 = bf16_to_f32<V>;
  table.gemv = {gemv<V, WeightFormat::f32>, gemv<V, WeightFormat::f16>, gemv<V, WeightFormat::bf16>};
  table.gemm = {gemm<V, WeightFormat::f32>, gemm<V, WeightFormat::f16>, gemm<V, WeightFormat::bf16>};
  install_sequence_kernels<V>(table);
}

}  // namespace hearth::cpu::simd
