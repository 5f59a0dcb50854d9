#include <gtest/gtest.h>

#include "model/capabilities.h"
#include "model/file_type.h"
#include "model/model_info.h"

namespace hearth::model {
namespace {

TEST(ModelInfo, ParameterCountsRoundLikeOllama) {
  EXPECT_EQ(format_parameter_count(950), "950");
  EXPECT_EQ(format_parameter_count(12'345), "12K");
  EXPECT_EQ(format_parameter_count(4'230'000), "4.23M");
  EXPECT_EQ(format_parameter_count(7'000'000), "7M");
  EXPECT_EQ(format_parameter_count(5'100'000'000), "5.1B");
  EXPECT_EQ(format_parameter_count(8'000'000'000), "8B");
  EXPECT_EQ(format_parameter_count(1'200'000'000'000), "1.2T");
}

TEST(ModelInfo, FileTypeNames) {
  EXPECT_EQ(file_type_name(15), "Q4_K_M");
  EXPECT_EQ(file_type_name(1), "F16");
  EXPECT_EQ(file_type_name(25), "IQ4_NL");
  EXPECT_FALSE(file_type_name(5).has_value());
  EXPECT_FALSE(file_type_name(999).has_value());
}

TEST(ModelInfo, ChatTemplateCapabilities) {
  EXPECT_TRUE(template_supports_tools("{%- if tools %}{{ tools | tojson }}{% endif %}"));
  EXPECT_FALSE(template_supports_tools("{{ messages[0].content }}"));
  EXPECT_TRUE(template_supports_thinking("{%- if enable_thinking is defined %}"));
  EXPECT_TRUE(template_supports_thinking("<think>\n{{ reasoning }}</think>"));
  EXPECT_FALSE(template_supports_thinking("{{ bos_token }}{{ messages[0].content }}"));
}

}  // namespace
}  // namespace hearth::model
