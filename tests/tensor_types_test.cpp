#include <gtest/gtest.h>

#include <cstdint>

#include "tensor/types.h"

namespace hearth {
namespace {

TEST(TensorTypes, RowBytesCountsWholeBlocks) {
  EXPECT_EQ(*row_bytes(TensorType::Q4_K, 512), 2u * 144u);
  EXPECT_EQ(*row_bytes(TensorType::F16, 7), 14u);
}

TEST(TensorTypes, RowBytesRejectsPartialBlocksAndNegativeCounts) {
  EXPECT_FALSE(row_bytes(TensorType::Q8_0, 33).ok());
  EXPECT_FALSE(row_bytes(TensorType::F32, -1).ok());
}

TEST(TensorTypes, RowBytesRejectsByteCountsThatOverflow) {
  const Result<uint64_t> bytes = row_bytes(TensorType::F32, INT64_C(1) << 62);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().find("64-bit"), std::string::npos);
}

TEST(TensorTypes, RemovedAndUnknownIdsAreNotTypes) {
  for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 43u, 1000u}) EXPECT_EQ(find_type(id), nullptr) << id;
  EXPECT_EQ(type_from_name("q4_k"), TensorType::Q4_K);
}

}  // namespace
}  // namespace hearth
