// The quantized fixtures were written by llama.cpp's llama-quantize (no importance matrix) from the F16 base
// files beside them. Checks hearth's decoder on every quantized tensor, and that re-quantizing the base
// tensors reproduces llama-quantize's blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "support/element_decoder.h"
#include "support/fixtures.h"
#include "tensor/quants.h"

namespace hearth {
namespace {

struct QuantizedFixture {
  std::filesystem::path path;
  std::filesystem::path base;  // the F16 file it was made from
};

// "<model>.<TYPE>.gguf" beside "<model>.gguf".
std::vector<QuantizedFixture> quantized_fixtures() {
  std::vector<QuantizedFixture> found;
  for (const auto& entry : std::filesystem::directory_iterator(test::fixtures_dir())) {
    const std::string stem = entry.path().stem().string();
    const size_t dot = stem.find('.');
    if (entry.path().extension() != ".gguf" || dot == std::string::npos) continue;
    found.push_back({entry.path(), entry.path().parent_path() / (stem.substr(0, dot) + ".gguf")});
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return found;
}

std::unique_ptr<gguf::GgufFile> open_or_fail(const std::filesystem::path& path) {
  auto file = gguf::GgufFile::open(path);
  EXPECT_TRUE(file.ok()) << path << ": " << (file.ok() ? "" : file.error());
  return file.ok() ? std::move(file.value()) : nullptr;
}

bool is_block_type(TensorType type) { return type_info(type).block_elements > 1; }

std::vector<float> dequantized(const gguf::TensorInfo& tensor) {
  std::vector<float> values(static_cast<size_t>(tensor.elements()));
  const Status status = dequantize_row(tensor.type, tensor.data, values.data(), tensor.elements());
  EXPECT_TRUE(status.ok()) << tensor.name << ": " << status.error();
  return values;
}

TEST(QuantFixture, EveryQuantizedTensorDecodesAsTheElementFormulasSay) {
  HEARTH_REQUIRE_FIXTURES();
  int tensors_checked = 0;
  for (const QuantizedFixture& fixture : quantized_fixtures()) {
    const auto file = open_or_fail(fixture.path);
    if (!file) continue;
    for (const gguf::TensorInfo& tensor : file->tensors()) {
      if (!is_block_type(tensor.type)) continue;
      ASSERT_TRUE(test::element_decoder_supports(tensor.type)) << tensor.name << " " << type_info(tensor.type).name;
      const std::vector<float> values = dequantized(tensor);
      const TypeInfo& info = type_info(tensor.type);
      int64_t mismatches = 0;
      for (int64_t i = 0; i < tensor.elements(); ++i) {
        const uint8_t* block = tensor.data + (i / info.block_elements) * info.block_bytes;
        const float expected = test::decode_element(tensor.type, block, static_cast<int>(i % info.block_elements));
        if (std::bit_cast<uint32_t>(expected) != std::bit_cast<uint32_t>(values[static_cast<size_t>(i)])) {
          if (mismatches++ == 0) {
            ADD_FAILURE() << fixture.path.filename() << " " << tensor.name << " element " << i << ": "
                          << values[static_cast<size_t>(i)] << " != " << expected;
          }
        }
      }
      EXPECT_EQ(mismatches, 0) << tensor.name;
      ++tensors_checked;
    }
  }
  EXPECT_GT(tensors_checked, 0);
}

struct RequantStats {
  int64_t blocks = 0;
  int64_t identical_blocks = 0;
  double signal = 0;       // sum of squared source values
  double ours_error = 0;   // sum of squared errors of hearth's blocks
  double their_error = 0;  // same for the fixture's blocks
};

void add_squared_errors(const std::vector<float>& source, const std::vector<float>& ours,
                        const std::vector<float>& theirs, RequantStats& stats) {
  for (size_t i = 0; i < source.size(); ++i) {
    stats.signal += static_cast<double>(source[i]) * source[i];
    stats.ours_error += std::pow(static_cast<double>(ours[i]) - source[i], 2);
    stats.their_error += std::pow(static_cast<double>(theirs[i]) - source[i], 2);
  }
}

// Quantizes the base tensor row by row to the fixture tensor's type and compares.
void requantize_tensor(const gguf::TensorInfo& source, const gguf::TensorInfo& target, RequantStats& stats) {
  const TypeInfo& info = type_info(target.type);
  const std::vector<float> values = dequantized(source);
  std::vector<uint8_t> ours(static_cast<size_t>(target.bytes));
  const int64_t row_length = target.ne[0];
  const uint64_t row_bytes = static_cast<uint64_t>(row_length / info.block_elements) * info.block_bytes;
  for (int64_t row = 0; row < target.rows(); ++row) {
    const Result<uint64_t> written =
        quantize_row(target.type, values.data() + row * row_length, ours.data() + row * row_bytes, row_length);
    ASSERT_TRUE(written.ok()) << written.error();
  }
  for (uint64_t offset = 0; offset < target.bytes; offset += info.block_bytes) {
    ++stats.blocks;
    if (std::equal(ours.begin() + static_cast<int64_t>(offset),
                   ours.begin() + static_cast<int64_t>(offset + info.block_bytes), target.data + offset)) {
      ++stats.identical_blocks;
    }
  }
  std::vector<float> ours_decoded(values.size());
  ASSERT_TRUE(dequantize_row(target.type, ours.data(), ours_decoded.data(), target.elements()).ok());
  add_squared_errors(values, ours_decoded, dequantized(target), stats);
}

TEST(QuantFixture, RequantizingTheBaseReproducesLlamaQuantize) {
  HEARTH_REQUIRE_FIXTURES();
  std::map<std::string, RequantStats> by_type;  // summed over every fixture, by target type
  for (const QuantizedFixture& fixture : quantized_fixtures()) {
    const auto quantized = open_or_fail(fixture.path);
    const auto base = open_or_fail(fixture.base);
    if (!quantized || !base) continue;
    for (const gguf::TensorInfo& target : quantized->tensors()) {
      if (!is_block_type(target.type)) continue;
      const gguf::TensorInfo* source = base->find_tensor(target.name);
      ASSERT_NE(source, nullptr) << target.name;
      ASSERT_EQ(source->ne, target.ne) << target.name;
      requantize_tensor(*source, target, by_type[std::string(type_info(target.type).name)]);
    }
  }
  ASSERT_FALSE(by_type.empty());
  std::printf("%-8s %10s %18s %12s\n", "type", "blocks", "identical blocks", "RMSE ratio");
  for (const auto& [type, stats] : by_type) {
    const double ratio = std::sqrt(stats.ours_error / stats.their_error);
    std::printf("%-8s %10lld %17.4f%% %12.6f\n", type.c_str(), static_cast<long long>(stats.blocks),
                100.0 * static_cast<double>(stats.identical_blocks) / static_cast<double>(stats.blocks), ratio);
    EXPECT_LE(stats.ours_error, stats.their_error * 1.01 * 1.01) << type;
    EXPECT_EQ(stats.identical_blocks, stats.blocks) << type;
  }
}

}  // namespace
}  // namespace hearth
