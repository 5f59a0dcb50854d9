// One crafted file per item of the hostile-file checklist (spec/gguf.md §9), each rejected with a specific
// error; truncation at every byte; split-model consistency checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf/split_naming.h"
#include "support/gguf_bytes.h"

namespace hearth::gguf {
namespace {

using test::GgufBytes;

constexpr uint32_t kI8 = 24;

struct HostileCase {
  std::string name;
  std::vector<uint8_t> bytes;
  std::string expected_error;
  ReadLimits limits = {};
};

// A file with one F32 tensor of the given shape, type and offset, followed by `data_bytes` of data.
std::vector<uint8_t> one_tensor(std::string_view name, const std::vector<int64_t>& ne, uint32_t type = GgufBytes::kF32,
                                uint64_t offset = 0, size_t data_bytes = 64) {
  GgufBytes b;
  b.header(1, 1).kv_string("general.architecture", "test").tensor_info(name, ne, type, offset);
  return b.pad_to(32).zeros(data_bytes).bytes();
}

// Two F32 tensors; the first is `first_elements` long, the second declares `second_offset`.
std::vector<uint8_t> two_tensors(int64_t first_elements, uint64_t second_offset, std::string_view second_name = "t1") {
  GgufBytes b;
  b.header(2, 0).tensor_info("t0", {first_elements}, GgufBytes::kF32, 0);
  b.tensor_info(second_name, {8}, GgufBytes::kF32, second_offset);
  return b.pad_to(32).zeros(256).bytes();
}

std::vector<uint8_t> one_kv(const std::function<void(GgufBytes&)>& record, size_t trailing_zeros = 0) {
  GgufBytes b;
  b.header(0, 1);
  record(b);
  return b.zeros(trailing_zeros).bytes();
}

std::vector<uint8_t> nested_arrays(uint32_t depth) {
  GgufBytes b;
  b.header(0, 1).str("nested").u32(GgufBytes::kArray);
  for (uint32_t level = 1; level < depth; ++level) b.u32(GgufBytes::kArray).u64(1);
  return b.u32(GgufBytes::kUint8).u64(1).u8(7).bytes();
}

std::vector<HostileCase> hostile_cases() {
  const int64_t big = int64_t{1} << 32;
  std::vector<HostileCase> cases = {
      // 1: minimum size
      {"too_small", GgufBytes().raw("GGUF").u32(3).bytes(), "too small for the 24-byte GGUF header"},
      // 2: magic, version, byte order
      {"bad_magic", GgufBytes().raw("GGML").u32(3).i64(0).i64(0).bytes(), "not a GGUF file"},
      {"version_0", GgufBytes().header(0, 0, 0).bytes(), "unsupported GGUF version 0"},
      {"version_1", GgufBytes().header(0, 0, 1).bytes(), "unsupported GGUF version 1"},
      {"version_4", GgufBytes().header(0, 0, 4).bytes(), "unsupported GGUF version 4"},
      {"byte_swapped_version", GgufBytes().header(0, 0, 0x03000000).bytes(), "big-endian GGUF unsupported"},
      {"byte_swapped_magic", GgufBytes().raw("FUGG").u32(0x03000000).i64(0).i64(0).bytes(),
       "big-endian GGUF unsupported"},
      // 3: counts against the bytes that follow
      {"negative_kv_count", GgufBytes().header(0, -1).bytes(), "metadata count is negative (-1)"},
      {"negative_tensor_count", GgufBytes().header(-5, 0).bytes(), "tensor count is negative (-5)"},
      {"kv_count_exceeds_file", GgufBytes().header(0, 1000).kv_u32("a", 1).bytes(),
       "1000 metadata records cannot fit in the 17 bytes after the header"},
      {"tensor_count_exceeds_file", GgufBytes().header(1000, 0).zeros(100).bytes(),
       "1000 tensor infos cannot fit in the 100 bytes after the header"},
      {"tensor_count_exceeds_bytes_after_metadata",
       GgufBytes().header(3, 1).kv_string("general.name", std::string(60, 'x')).zeros(48).bytes(),
       "3 tensor infos cannot fit in the 48 bytes after the metadata at byte 116"},
      // 4: string lengths
      {"string_longer_than_file", one_kv([](GgufBytes& b) { b.str("k").u32(GgufBytes::kString).u64(1000).raw("abc"); }),
       "key 'k' (record at byte 24): STRING value at byte 37 is 1000 bytes but only 3 bytes are left"},
      {"string_over_limit", one_kv([](GgufBytes& b) { b.kv_string("k", std::string(32, 'x')); }),
       "STRING value at byte 37 is 32 bytes, more than the limit of 16", ReadLimits{.max_string_bytes = 16}},
      {"key_longer_than_file", one_kv([](GgufBytes& b) { b.u64(1000).raw("ab"); }, 14),
       "metadata record at byte 24: key at byte 24 is 1000 bytes but only 16 bytes are left"},
      // 5: array lengths
      {"array_over_limit", one_kv([](GgufBytes& b) { b.kv_array("a", GgufBytes::kUint8, 11).zeros(11); }),
       "key 'a' (record at byte 24): array at byte 37 has 11 elements, more than the limit of 10",
       ReadLimits{.max_array_elements = 10}},
      {"string_array_longer_than_file", one_kv([](GgufBytes& b) { b.kv_array("a", GgufBytes::kString, 5).str("x"); }),
       "array at byte 37 of 5 STRING elements needs at least 8 bytes each but only 9 bytes are left"},
      {"uint32_array_longer_than_file",
       one_kv([](GgufBytes& b) { b.kv_array("a", GgufBytes::kUint32, 1000).u32(1); }),
       "of 1000 UINT32 elements needs at least 4 bytes each but only 4 bytes are left"},
      {"metadata_memory_over_budget", one_kv([](GgufBytes& b) { b.kv_array("a", GgufBytes::kUint8, 4000).zeros(4000); }),
       "parsed metadata would need more than 4049 bytes of memory for a 4049-byte file",
       ReadLimits{.metadata_memory_per_file_byte = 1, .metadata_memory_allowance = 0}},
      // 6: value types
      {"unknown_value_type", one_kv([](GgufBytes& b) { b.str("k").u32(13).u32(0); }),
       "key 'k' (record at byte 24): unknown value type id 13 at byte 33 (expected 0..12)"},
      {"negative_value_type", one_kv([](GgufBytes& b) { b.str("k").i32(-1).u32(0); }),
       "unknown value type id 4294967295"},
      {"unknown_array_element_type", one_kv([](GgufBytes& b) { b.kv_array("a", 13, 1).u8(0); }),
       "key 'a' (record at byte 24): unknown array element type id 13"},
      {"arrays_nested_too_deep", nested_arrays(9), "array at byte 138 is nested 9 deep, more than the limit of 8"},
      // 7: keys
      {"empty_key", one_kv([](GgufBytes& b) { b.kv_u32("", 1); }), "metadata record at byte 24: empty key"},
      {"duplicate_key", GgufBytes().header(0, 2).kv_u32("a", 1).kv_u32("a", 2).bytes(),
       "key 'a' (record at byte 41): duplicate key"},
      // 8: alignment
      {"alignment_string", one_kv([](GgufBytes& b) { b.kv_string("general.alignment", "32"); }),
       "key 'general.alignment': expected UINT32 but found STRING"},
      {"alignment_uint64", one_kv([](GgufBytes& b) { b.str("general.alignment").u32(GgufBytes::kUint64).u64(32); }),
       "key 'general.alignment': expected UINT32 but found UINT64"},
      {"alignment_zero", one_kv([](GgufBytes& b) { b.kv_u32("general.alignment", 0); }),
       "key 'general.alignment': 0 is not a nonzero power of two"},
      {"alignment_48", one_kv([](GgufBytes& b) { b.kv_u32("general.alignment", 48); }),
       "key 'general.alignment': 48 is not a nonzero power of two"},
      // 9: tensor names
      {"tensor_name_64_bytes", one_tensor(std::string(64, 'n'), {4}),
       "tensor info at byte 68: name is 64 bytes, at most 63 are allowed"},
      {"tensor_name_empty", one_tensor("", {4}), "tensor info at byte 68: empty tensor name"},
      {"tensor_name_duplicate", two_tensors(8, 32, "t0"), "tensor 't0' (info at byte 58): duplicate tensor name"},
      // 10: dimensions
      {"five_dims", one_tensor("w", {1, 1, 1, 1, 1}), "tensor 'w' (info at byte 68): 5 dimensions, at most 4"},
      {"zero_dim", one_tensor("w", {4, 0}), "tensor 'w' (info at byte 68): ne[1] is 0, expected at least 1"},
      {"negative_dim", one_tensor("w", {-4}), "tensor 'w' (info at byte 68): ne[0] is -4, expected at least 1"},
      {"element_count_overflow", one_tensor("w", {big, big}), "tensor 'w' (info at byte 68): element count overflows"},
      // 11: tensor types
      {"removed_type_4", one_tensor("w", {4}, 4), "tensor 'w' (info at byte 68): unsupported tensor type id 4"},
      {"removed_type_31", one_tensor("w", {4}, 31), "tensor 'w' (info at byte 68): unsupported tensor type id 31"},
      {"type_out_of_range", one_tensor("w", {4}, 99), "unsupported tensor type id 99"},
      {"row_not_whole_blocks", one_tensor("w", {33}, GgufBytes::kQ4_0),
       "tensor 'w' (info at byte 68): row length ne[0] = 33 is not a multiple of the Q4_0 block size 32"},
      // 12: byte size
      {"byte_size_overflow", one_tensor("w", {int64_t{1} << 62}), "tensor 'w' (info at byte 68): byte size overflows"},
      // 13: offsets
      {"first_offset_not_zero", one_tensor("w", {8}, GgufBytes::kF32, 32),
       "tensor 'w' (info at byte 68): offset 32 but expected 0 (tensors must be packed in order)"},
      {"gap_between_tensors", two_tensors(8, 64), "tensor 't1' (info at byte 58): offset 64 but expected 32"},
      {"overlapping_tensors", two_tensors(8, 0), "tensor 't1' (info at byte 58): offset 0 but expected 32"},
      {"misaligned_tensor", two_tensors(3, 12), "tensor 't1' (info at byte 58): offset 12 but expected 32"},
      {"data_past_end_of_file", one_tensor("w", {64}, GgufBytes::kF32, 0, 32),
       "tensor 'w': data of 256 bytes at offset 0 from the data section at byte 128 extends past the end of the file "
       "(160 bytes)"},
      {"data_end_overflows",
       GgufBytes().header(2, 0).tensor_info("a", {INT64_MAX}, kI8, 0)
           .tensor_info("b", {INT64_MAX}, kI8, uint64_t{1} << 63).pad_to(32).bytes(),
       "tensor 'b' (info at byte 57): data end overflows 64 bits"},
      // 14: data section start
      {"data_section_past_end_of_file", GgufBytes().header(1, 0).tensor_info("w", {1}, GgufBytes::kF32, 0).bytes(),
       "tensor data section would start at byte 57 aligned to 32, past the end of the file (57 bytes)"},
      // 17: split keys in a single image
      {"split_count_in_memory",
       GgufBytes().header(0, 3).str("split.no").u32(0).u8(0).str("split.count").u32(0).u8(2)
           .str("split.tensors.count").u32(GgufBytes::kInt32).i32(0).bytes(),
       "split model (split.count = 2) can only be opened from its shard files"},
      {"split_no_not_below_count",
       GgufBytes().header(0, 2).kv_u32("split.no", 3).kv_u32("split.count", 2).bytes(),
       "key 'split.no': 3 but split.count is 2"},
      {"split_count_wrong_type", one_kv([](GgufBytes& b) { b.kv_string("split.count", "2"); }),
       "key 'split.count': expected an integer but found STRING"},
      {"split_tensors_count_mismatch", one_kv([](GgufBytes& b) { b.kv_u32("split.tensors.count", 5); }),
       "key 'split.tensors.count' is 5 but the file holds 0 tensors"},
  };
  return cases;
}

// gtest prints the case name instead of a hex dump of the struct.
void PrintTo(const HostileCase& hostile, std::ostream* out) { *out << hostile.name; }

class HostileFile : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileFile, IsRejectedWithASpecificError) {
  const HostileCase& hostile = GetParam();
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open_memory(hostile.bytes, hostile.limits);
  ASSERT_FALSE(file.ok()) << "accepted " << hostile.name;
  EXPECT_NE(file.error().find(hostile.expected_error), std::string::npos)
      << "error was: " << file.error() << "\nexpected to contain: " << hostile.expected_error;
}

INSTANTIATE_TEST_SUITE_P(Checklist, HostileFile, ::testing::ValuesIn(hostile_cases()),
                         [](const ::testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

// A small valid file whose last tensor ends exactly at the end of the file, so every shorter prefix is broken.
std::vector<uint8_t> small_valid_file() {
  GgufBytes b;
  b.header(2, 4, 3).kv_string("general.architecture", "test").kv_u32("test.block_count", 2);
  b.kv_array("test.tokens", GgufBytes::kString, 2).str("a").str("bc");
  b.kv_array("test.nested", GgufBytes::kArray, 1).u32(GgufBytes::kFloat32).u64(2).f32(1.5f).f32(-2.0f);
  b.tensor_info("a", {8}, GgufBytes::kF32, 0).tensor_info("b", {32, 2}, GgufBytes::kQ4_0, 32);
  return b.pad_to(32).zeros(32).zeros(2 * 18).zeros(28).bytes();
}

TEST(GgufHostile, SmallValidFileParses) {
  const std::vector<uint8_t> bytes = small_valid_file();
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open_memory(bytes);
  ASSERT_TRUE(file.ok()) << file.error();
  ASSERT_EQ((*file)->tensors().size(), 2u);
  EXPECT_EQ((*file)->tensors()[1].bytes, 36u);
  EXPECT_EQ((*file)->tensors()[1].data, bytes.data() + bytes.size() - 64);
  const Array* nested = (*file)->find("test.nested")->as_array();
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->element_type, ValueType::ARRAY);
  EXPECT_EQ(format_value(*(*file)->find("test.nested")), "ARRAY[1] [FLOAT32[2] [1.5, -2]]");
}

TEST(GgufHostile, TruncationAtEveryByteIsAnError) {
  const std::vector<uint8_t> bytes = small_valid_file();
  const uint64_t data_end = bytes.size() - 28;  // the Q4_0 tensor is 36 bytes, padded to 64
  for (size_t size = 0; size < bytes.size(); ++size) {
    // A private copy so AddressSanitizer catches any read past the truncated end.
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    Result<std::unique_ptr<GgufFile>> file = GgufFile::open_memory(prefix);
    if (size < data_end) {
      EXPECT_FALSE(file.ok()) << "accepted a prefix of " << size << " bytes";
    }
  }
}

TEST(GgufHostile, NestingUpToTheLimitIsAccepted) {
  const std::vector<uint8_t> bytes = nested_arrays(8);
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open_memory(bytes);
  ASSERT_TRUE(file.ok()) << file.error();
  const Value* value = (*file)->find("nested");
  for (int level = 1; level < 8; ++level) {
    ASSERT_EQ(value->as_array()->items.size(), 1u);
    value = &value->as_array()->items[0];
  }
  EXPECT_EQ(value->as_array()->element_type, ValueType::UINT8);
}

TEST(GgufHostile, LenientCasesMatchLlamaCpp) {
  // Version 2, a nonzero BOOL byte other than 1, a zero-dimension tensor, an empty array and no padding after the
  // metadata of a tensor-less file are all accepted by llama.cpp.
  GgufBytes b;
  b.header(1, 2, 2).str("flag").u32(7).u8(2).kv_array("empty", GgufBytes::kUint32, 0);
  b.tensor_info("scalar", {}, GgufBytes::kF32, 0).pad_to(32).zeros(4);
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open_memory(b.bytes());
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ((*file)->version(), 2u);
  EXPECT_TRUE(*(*file)->get_bool("flag"));
  EXPECT_TRUE((*file)->get_int_array("empty")->empty());
  EXPECT_EQ((*file)->tensors()[0].n_dims, 0u);
  EXPECT_EQ((*file)->tensors()[0].elements(), 1);
}

TEST(GgufHostile, RangeCheckedWidening) {
  GgufBytes b;
  b.header(0, 3).str("negative").u32(GgufBytes::kInt32).i32(-3).str("huge").u32(GgufBytes::kUint64).u64(UINT64_MAX);
  b.str("small").u32(GgufBytes::kUint8).u8(200);
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open_memory(b.bytes());
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ(*(*file)->get_int("negative"), -3);
  Result<uint64_t> negative = (*file)->get_uint("negative");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().find("key 'negative': expected a non-negative integer but found -3"), std::string::npos);
  Result<int64_t> huge = (*file)->get_int("huge");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().find("key 'huge': value 18446744073709551615 does not fit"), std::string::npos);
  EXPECT_EQ(*(*file)->get_uint("small"), 200u);
  EXPECT_EQ(*(*file)->get_int("small"), 200);
}

// Checklist item 17 needs real files: shards are found by name.
class SplitFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth_gguf_split_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Shard `no` (0-based) of `count` with the given tensors and split keys.
  void write_shard(uint32_t no, uint32_t count, int32_t total_tensors, const std::vector<std::string>& tensors,
                   std::string_view prefix = "model") {
    GgufWriter writer;
    if (no == 0) writer.set("general.architecture", Value::string("test"));
    writer.set("split.no", Value::u16(static_cast<uint16_t>(no)));
    writer.set("split.count", Value::u16(static_cast<uint16_t>(count)));
    writer.set("split.tensors.count", Value::i32(total_tensors));
    for (const std::string& name : tensors) {
      ASSERT_TRUE(writer.add_tensor(name, TensorType::F32, {4}, std::vector<uint8_t>(16, 0)).ok());
    }
    const Status written = writer.write(shard(no + 1, count, prefix));
    ASSERT_TRUE(written.ok()) << written.error();
  }

  std::filesystem::path shard(uint32_t number, uint32_t count, std::string_view prefix = "model") const {
    return split_shard_path(dir_ / prefix, number, count);
  }

  std::string open_error(const std::filesystem::path& path) const {
    Result<std::unique_ptr<GgufFile>> file = GgufFile::open(path);
    return file.ok() ? "(opened)" : file.error();
  }

  std::filesystem::path dir_;
};

TEST_F(SplitFiles, ValidShardsOpenAsOneModel) {
  write_shard(0, 3, 4, {"a", "b"});
  write_shard(1, 3, 4, {"c"});
  write_shard(2, 3, 4, {"d"});
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open(shard(1, 3));
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ((*file)->shard_count(), 3u);
  ASSERT_EQ((*file)->tensors().size(), 4u);
  EXPECT_EQ((*file)->find_tensor("c")->shard, 1u);
  EXPECT_EQ((*file)->find_tensor("d")->shard, 2u);
  EXPECT_EQ(*(*file)->get_string("general.architecture"), "test");
}

TEST_F(SplitFiles, OpeningALaterShardNamesTheFirst) {
  write_shard(0, 2, 2, {"a"});
  write_shard(1, 2, 2, {"b"});
  const std::string error = open_error(shard(2, 2));
  EXPECT_NE(error.find("is shard 2 of 2 of a split model; open the first shard " + shard(1, 2).string()),
            std::string::npos)
      << error;
}

TEST_F(SplitFiles, MissingShard) {
  write_shard(0, 3, 3, {"a"});
  write_shard(1, 3, 3, {"b"});
  const std::string error = open_error(shard(1, 3));
  EXPECT_NE(error.find("shard 3 of 3 is missing: " + shard(3, 3).string()), std::string::npos) << error;
}

TEST_F(SplitFiles, ShardNumberMismatch) {
  write_shard(0, 2, 2, {"a"});
  write_shard(0, 2, 2, {"b"}, "other");
  std::filesystem::rename(shard(1, 2, "other"), shard(2, 2));
  const std::string error = open_error(shard(1, 2));
  EXPECT_NE(error.find("split.no 0 of split.count 2, expected 1 of 2"), std::string::npos) << error;
}

TEST_F(SplitFiles, TensorCountMismatch) {
  write_shard(0, 2, 5, {"a"});
  write_shard(1, 2, 5, {"b"});
  const std::string error = open_error(shard(1, 2));
  EXPECT_NE(error.find("key 'split.tensors.count' is 5 but the 2 shard(s) hold 2 tensors"), std::string::npos)
      << error;
}

TEST_F(SplitFiles, DuplicateTensorAcrossShards) {
  write_shard(0, 2, 2, {"a"});
  write_shard(1, 2, 2, {"a"});
  const std::string error = open_error(shard(1, 2));
  EXPECT_NE(error.find("tensor 'a' appears in shard 1 and again in shard 2"), std::string::npos) << error;
}

TEST_F(SplitFiles, FirstShardWithAnUnexpectedName) {
  write_shard(0, 2, 2, {"a"});
  std::filesystem::rename(shard(1, 2), dir_ / "renamed.gguf");
  const std::string error = open_error(dir_ / "renamed.gguf");
  EXPECT_NE(error.find("the file is not named like <prefix>-00001-of-00002.gguf"), std::string::npos) << error;
}

TEST_F(SplitFiles, SplitNameParsing) {
  const std::optional<SplitName> name = parse_split_name("/m/llama-00002-of-00010.gguf");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->prefix, "/m/llama");
  EXPECT_EQ(name->number, 2u);
  EXPECT_EQ(name->count, 10u);
  EXPECT_FALSE(parse_split_name("/m/llama-00000-of-00010.gguf").has_value());
  EXPECT_FALSE(parse_split_name("/m/llama-00011-of-00010.gguf").has_value());
  EXPECT_FALSE(parse_split_name("/m/llama-0002-of-00010.gguf").has_value());
  EXPECT_FALSE(parse_split_name("/m/llama.gguf").has_value());
  EXPECT_FALSE(parse_split_name("-00001-of-00002.gguf").has_value());
}

TEST(GgufHostile, OpeningMissingOrOddPaths) {
  EXPECT_NE(GgufFile::open("/nonexistent/model.gguf").error().find("cannot open"), std::string::npos);
  EXPECT_NE(GgufFile::open(std::filesystem::temp_directory_path()).error().find("not a regular file"),
            std::string::npos);
}

// Seeds the fuzzer: with HEARTH_GGUF_CORPUS_DIR set, writes every hostile case and the valid file there.
TEST(GgufHostile, WriteFuzzSeedCorpus) {
  const char* dir = std::getenv("HEARTH_GGUF_CORPUS_DIR");
  if (!dir || !*dir) GTEST_SKIP() << "set HEARTH_GGUF_CORPUS_DIR to write the fuzz seed corpus";
  std::filesystem::create_directories(dir);
  auto save = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream out(std::filesystem::path(dir) / (name + ".gguf"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << name;
  };
  for (const HostileCase& hostile : hostile_cases()) save(hostile.name, hostile.bytes);
  save("valid_small", small_valid_file());
  save("valid_nested_8", nested_arrays(8));

  GgufWriter writer(64);
  writer.set("general.architecture", Value::string("test"));
  writer.set("u8", Value::u8(1));
  writer.set("i16", Value::i16(-2));
  writer.set("u64", Value::u64(3));
  writer.set("f64", Value::f64(0.5));
  writer.set("flag", Value::boolean(true));
  writer.set("tokens", Value::string_array({"a", "b", "c"}));
  writer.set("scores", Value::array(ValueType::FLOAT32, {Value::f32(1), Value::f32(2), Value::f32(3)}));
  writer.set("nested", Value::array(ValueType::ARRAY, {Value::array(ValueType::INT32, {Value::i32(4)})}));
  ASSERT_TRUE(writer.add_tensor("q", TensorType::Q8_0, {32, 2}, std::vector<uint8_t>(68, 1)).ok());
  ASSERT_TRUE(writer.add_tensor("f", TensorType::F16, {3}, std::vector<uint8_t>(6, 2)).ok());
  ASSERT_TRUE(writer.write(std::filesystem::path(dir) / "valid_writer_all_types.gguf").ok());
}

}  // namespace
}  // namespace hearth::gguf
