// hearth's per-tensor type choice must equal llama.cpp's: the fixtures' quantized files were made by
// llama-quantize from the F16 originals.
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "quantize/presets.h"
#include "quantize/tensor_mix.h"
#include "support/fixtures.h"

namespace hearth::test {
namespace {

using quantize::find_quant_preset;
using quantize::MixModel;
using quantize::plan_tensor_types;

void expect_same_mix_as_llama_cpp(const std::string& model, const std::string& preset_name) {
  SCOPED_TRACE(model + " " + preset_name);
  auto base = gguf::GgufFile::open(fixture(model + ".gguf"));
  auto reference = gguf::GgufFile::open(fixture(model + "." + preset_name + ".gguf"));
  ASSERT_TRUE(base.ok()) << base.error();
  ASSERT_TRUE(reference.ok()) << reference.error();
  const quantize::QuantPreset* preset = find_quant_preset(preset_name);
  ASSERT_NE(preset, nullptr);

  const auto& tensors = (*base)->tensors();
  const auto plan = plan_tensor_types(quantize::read_mix_model(**base), *preset, false, tensors);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_TRUE(plan->fallbacks.empty());
  ASSERT_EQ(tensors.size(), (*reference)->tensors().size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const gguf::TensorInfo* expected = (*reference)->find_tensor(tensors[i].name);
    ASSERT_NE(expected, nullptr) << tensors[i].name;
    EXPECT_EQ(type_info(plan->types[i]).name, type_info(expected->type).name) << tensors[i].name;
  }
}

TEST(QuantizeMix, GemmaDenseMatchesLlamaCppForEveryPreset) {
  HEARTH_REQUIRE_FIXTURES();
  for (const char* preset : {"Q4_K_M", "Q5_K_M", "Q6_K", "Q4_0", "Q8_0", "IQ4_NL"}) {
    expect_same_mix_as_llama_cpp("gemma4-dense-tiny", preset);
  }
}

TEST(QuantizeMix, MoeAndOtherArchitecturesMatchLlamaCpp) {
  HEARTH_REQUIRE_FIXTURES();
  for (const char* model : {"gemma4-moe-tiny", "llama4-tiny", "qwen35-tiny", "qwen35moe-tiny", "qwen3next-tiny"}) {
    expect_same_mix_as_llama_cpp(model, "Q4_K_M");
  }
}

gguf::TensorInfo tensor(std::string name, std::array<int64_t, 4> ne, TensorType type = TensorType::F16) {
  gguf::TensorInfo info;
  info.name = std::move(name);
  info.type = type;
  info.ne = ne;
  info.n_dims = 2;
  return info;
}

TEST(QuantizeMix, KeepsNormsRoutersAndVectors) {
  EXPECT_FALSE(quantize::allows_quantization(tensor("blk.0.attn_norm.weight", {256, 1, 1, 1}, TensorType::F32)));
  EXPECT_FALSE(quantize::allows_quantization(tensor("blk.0.ffn_gate_inp.weight", {256, 8, 1, 1})));
  EXPECT_FALSE(quantize::allows_quantization(tensor("blk.0.ffn_gate_inp_shexp.weight", {256, 1, 1, 1})));
  EXPECT_FALSE(quantize::allows_quantization(tensor("blk.0.ssm_conv1d.weight", {4, 1024, 1, 1})));
  EXPECT_FALSE(quantize::allows_quantization(tensor("per_layer_model_proj.weight", {256, 1536, 1, 1})));
  EXPECT_FALSE(quantize::allows_quantization(tensor("v.patch_embd.weight", {16, 16, 3, 128})));
  EXPECT_FALSE(quantize::allows_quantization(tensor("blk.0.ffn_down_exps.scale", {4, 1, 1, 1})));
  EXPECT_TRUE(quantize::allows_quantization(tensor("blk.0.ffn_up_exps.weight", {256, 512, 8, 1})));
  EXPECT_TRUE(quantize::allows_quantization(tensor("per_layer_token_embd.weight", {1536, 1024, 1, 1})));
}

TEST(QuantizeMix, RowsThatDoNotFitFallBackLikeLlamaCpp) {
  const MixModel model{"llama", 2, 0, 4, 4};
  const std::vector<gguf::TensorInfo> tensors = {
      tensor("blk.0.attn_q.weight", {96, 96, 1, 1}),    // Q4_K -> Q5_0
      tensor("blk.0.ffn_down.weight", {256, 96, 1, 1}),  // fits: stays Q4_K
      tensor("blk.1.ffn_down.weight", {160, 96, 1, 1}),  // last layer gets more bits: Q6_K -> Q8_0
      tensor("blk.1.attn_q.weight", {100, 96, 1, 1}),   // not even a multiple of 32 -> F16
      tensor("token_embd.weight", {96, 1000, 1, 1}),    // tied output: Q8_0 when rows do not fit 256
  };
  const auto plan = plan_tensor_types(model, *find_quant_preset("Q4_K_M"), false, tensors);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan->types, (std::vector<TensorType>{TensorType::Q5_0, TensorType::Q4_K, TensorType::Q8_0, TensorType::F16,
                                                   TensorType::Q8_0}));
  EXPECT_EQ(plan->fallbacks.size(), 3u);

  const auto q5 = plan_tensor_types(model, *find_quant_preset("Q5_K_S"), false, {tensors.data(), 1});
  ASSERT_TRUE(q5.ok());
  EXPECT_EQ(q5->types[0], TensorType::Q5_1);
}

TEST(QuantizeMix, PureSkipsTheMixRules) {
  const MixModel model{"llama", 1, 0, 4, 4};
  const std::vector<gguf::TensorInfo> tensors = {tensor("token_embd.weight", {256, 1000, 1, 1}),
                                                 tensor("blk.0.attn_v.weight", {256, 256, 1, 1}),
                                                 tensor("blk.0.ffn_down.weight", {256, 256, 1, 1})};
  const auto mixed = plan_tensor_types(model, *find_quant_preset("Q4_K_M"), false, tensors);
  const auto pure = plan_tensor_types(model, *find_quant_preset("Q4_K_M"), true, tensors);
  ASSERT_TRUE(mixed.ok() && pure.ok());
  EXPECT_EQ(mixed->types, (std::vector<TensorType>{TensorType::Q6_K, TensorType::Q6_K, TensorType::Q6_K}));
  EXPECT_EQ(pure->types, (std::vector<TensorType>{TensorType::Q4_K, TensorType::Q4_K, TensorType::Q4_K}));
}

TEST(QuantizeMix, MoeTensorOutsideTheLayersIsAnError) {
  const MixModel model{"qwen35moe", 2, 4, 4, 4};
  const std::vector<gguf::TensorInfo> tensors = {tensor("blk.7.ffn_down_exps.weight", {256, 256, 1, 1})};
  EXPECT_FALSE(plan_tensor_types(model, *find_quant_preset("Q4_K_M"), false, tensors).ok());
}

TEST(QuantizeMix, PresetNamesAreCaseInsensitive) {
  ASSERT_NE(find_quant_preset("q4_k_m"), nullptr);
  EXPECT_EQ(find_quant_preset("q4_k_m")->file_type, 15u);
  EXPECT_EQ(find_quant_preset("iq4_nl")->base_type, TensorType::IQ4_NL);
  EXPECT_EQ(find_quant_preset("Q3_K_M"), nullptr);
}

}  // namespace
}  // namespace hearth::test
