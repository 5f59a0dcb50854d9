// GgufWriter output read back through GgufFile: every value type, nested arrays, streamed tensors,
// alignment and split models.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf/split_naming.h"

namespace hearth::gguf {
namespace {

class GgufWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth_gguf_writer_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<GgufFile> write_and_open(const GgufWriter& writer) {
    const std::filesystem::path path = dir_ / "out.gguf";
    const Status written = writer.write(path);
    EXPECT_TRUE(written.ok()) << written.error();
    Result<std::unique_ptr<GgufFile>> file = GgufFile::open(path);
    EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error());
    return file.ok() ? std::move(file).value() : nullptr;
  }

  std::filesystem::path dir_;
};

// Fills a tensor with bytes derived from its position so data mix-ups show.
GgufWriter::Producer pattern(uint8_t seed) {
  return [seed](std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
    return Status::success();
  };
}

void expect_pattern(const TensorInfo& tensor, uint8_t seed) {
  for (size_t i = 0; i < tensor.bytes; ++i) {
    ASSERT_EQ(tensor.data[i], static_cast<uint8_t>(seed + i * 7)) << tensor.name << " byte " << i;
  }
}

TEST_F(GgufWriterTest, EveryValueTypeRoundTrips) {
  GgufWriter writer;
  writer.set("u8", Value::u8(250));
  writer.set("i8", Value::i8(-100));
  writer.set("u16", Value::u16(65000));
  writer.set("i16", Value::i16(-32000));
  writer.set("u32", Value::u32(4000000000u));
  writer.set("i32", Value::i32(-2000000000));
  writer.set("u64", Value::u64(UINT64_MAX));
  writer.set("i64", Value::i64(INT64_MIN));
  writer.set("f32", Value::f32(0.25f));
  writer.set("f64", Value::f64(1e300));
  writer.set("bool", Value::boolean(true));
  writer.set("string", Value::string(std::string("with\0nul", 8)));
  writer.set("strings", Value::string_array({"a", "", "ccc"}));
  writer.set("ints", Value::array(ValueType::INT32, {Value::i32(-1), Value::i32(7)}));
  writer.set("bools", Value::array(ValueType::BOOL, {Value::boolean(false), Value::boolean(true)}));
  writer.set("empty", Value::array(ValueType::FLOAT32, {}));
  writer.set("nested",
             Value::array(ValueType::ARRAY, {Value::array(ValueType::UINT8, {Value::u8(1), Value::u8(2)}),
                                             Value::string_array({"x"}),
                                             Value::array(ValueType::ARRAY, {Value::array(ValueType::INT64, {})})}));
  std::unique_ptr<GgufFile> file = write_and_open(writer);
  ASSERT_NE(file, nullptr);

  EXPECT_EQ(file->version(), 3u);
  ASSERT_EQ(file->metadata().size(), 17u);
  EXPECT_EQ(file->metadata()[0].key, "u8");
  EXPECT_EQ(file->find("general.alignment"), nullptr);
  EXPECT_EQ(file->find("u8")->type, ValueType::UINT8);
  EXPECT_EQ(*file->get_uint("u8"), 250u);
  EXPECT_EQ(*file->get_int("i8"), -100);
  EXPECT_EQ(file->find("u16")->type, ValueType::UINT16);
  EXPECT_EQ(*file->get_uint("u16"), 65000u);
  EXPECT_EQ(*file->get_int("i16"), -32000);
  EXPECT_EQ(*file->get_uint("u32"), 4000000000u);
  EXPECT_EQ(*file->get_int("i32"), -2000000000);
  EXPECT_EQ(*file->get_uint("u64"), UINT64_MAX);
  EXPECT_EQ(*file->get_int("i64"), INT64_MIN);
  EXPECT_EQ(file->find("f32")->type, ValueType::FLOAT32);
  EXPECT_EQ(*file->get_float("f32"), 0.25);
  EXPECT_EQ(*file->get_float("f64"), 1e300);
  EXPECT_TRUE(*file->get_bool("bool"));
  EXPECT_EQ(*file->get_string("string"), std::string("with\0nul", 8));
  EXPECT_EQ(*file->get_string_array("strings"), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(*file->get_int_array("ints"), (std::vector<int64_t>{-1, 7}));
  EXPECT_EQ(*file->get_int_array("bools"), (std::vector<int64_t>{0, 1}));
  EXPECT_TRUE(file->get_float_array("empty")->empty());
  EXPECT_EQ(format_value(*file->find("nested")), "ARRAY[3] [UINT8[2] [1, 2], STRING[1] [\"x\"], ARRAY[1] [INT64[0] []]]");
}

TEST_F(GgufWriterTest, SetReplacesInPlace) {
  GgufWriter writer;
  writer.set("a", Value::u32(1));
  writer.set("b", Value::u32(2));
  writer.set("a", Value::string("again"));
  std::unique_ptr<GgufFile> file = write_and_open(writer);
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(file->metadata().size(), 2u);
  EXPECT_EQ(file->metadata()[0].key, "a");
  EXPECT_EQ(*file->get_string("a"), "again");
}

TEST_F(GgufWriterTest, TensorsAreStreamedPackedAndAligned) {
  GgufWriter writer;
  writer.set("general.architecture", Value::string("test"));
  ASSERT_TRUE(writer.add_tensor("f32", TensorType::F32, {3}, pattern(1)).ok());
  ASSERT_TRUE(writer.add_tensor("q4", TensorType::Q4_0, {64, 3}, pattern(2)).ok());
  ASSERT_TRUE(writer.add_tensor("f16", TensorType::F16, {2, 3, 4, 5}, pattern(3)).ok());
  std::vector<uint8_t> raw(10 * 4);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(4 + i * 7);
  ASSERT_TRUE(writer.add_tensor("bytes", TensorType::F32, {10}, raw).ok());

  std::vector<size_t> progress;
  const std::filesystem::path path = dir_ / "model.gguf";
  const Status written = writer.write(path, [&](size_t done, size_t total) {
    EXPECT_EQ(total, 4u);
    progress.push_back(done);
  });
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2, 3, 4}));

  Result<std::unique_ptr<GgufFile>> file = GgufFile::open(path);
  ASSERT_TRUE(file.ok()) << file.error();
  const std::vector<TensorInfo>& tensors = (*file)->tensors();
  ASSERT_EQ(tensors.size(), 4u);
  EXPECT_EQ(tensors[0].bytes, 12u);
  EXPECT_EQ(tensors[1].bytes, 2u * 18u * 3u);
  EXPECT_EQ(tensors[1].offset, 32u);
  EXPECT_EQ(tensors[2].offset, 32u + 128u);
  EXPECT_EQ(tensors[2].n_dims, 4u);
  EXPECT_EQ(tensors[2].ne[3], 5);
  for (size_t i = 0; i < tensors.size(); ++i) expect_pattern(tensors[i], static_cast<uint8_t>(i + 1));
  // Every tensor, the last one included, is padded to the alignment.
  EXPECT_EQ(std::filesystem::file_size(path) % 32, 0u);
}

TEST_F(GgufWriterTest, CustomAlignmentIsWrittenAndHonoured) {
  GgufWriter writer(256);
  ASSERT_TRUE(writer.add_tensor("a", TensorType::F32, {5}, pattern(9)).ok());
  ASSERT_TRUE(writer.add_tensor("b", TensorType::F32, {5}, pattern(10)).ok());
  std::unique_ptr<GgufFile> file = write_and_open(writer);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->alignment(), 256u);
  EXPECT_EQ(*file->get_uint("general.alignment"), 256u);
  EXPECT_EQ(file->find("general.alignment")->type, ValueType::UINT32);
  EXPECT_EQ(file->tensors()[1].offset, 256u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(file->tensors()[1].data) % 256, 0u);
  expect_pattern(file->tensors()[1], 10);
}

TEST_F(GgufWriterTest, MetadataOnlyFileHasNoPadding) {
  GgufWriter writer;
  writer.set("k", Value::u8(1));
  const std::filesystem::path path = dir_ / "vocab.gguf";
  ASSERT_TRUE(writer.write(path).ok());
  EXPECT_EQ(std::filesystem::file_size(path), 24u + 8u + 1u + 4u + 1u);
}

TEST_F(GgufWriterTest, RejectsBadTensors) {
  GgufWriter writer;
  ASSERT_TRUE(writer.add_tensor("w", TensorType::F32, {4}, pattern(0)).ok());
  auto error_of = [&](Status status) { return status.ok() ? std::string("(ok)") : status.error(); };
  EXPECT_NE(error_of(writer.add_tensor("w", TensorType::F32, {4}, pattern(0))).find("duplicate tensor name"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("", TensorType::F32, {4}, pattern(0))).find("name must be 1 to 63 bytes"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor(std::string(64, 'x'), TensorType::F32, {4}, pattern(0))).find("name must be"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("q", TensorType::Q4_0, {33}, pattern(0))).find("whole number of Q4_0 blocks"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("z", TensorType::F32, {4, 0}, pattern(0))).find("ne[1] is 0"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("d", TensorType::F32, {1, 1, 1, 1, 1}, pattern(0))).find("5 dimensions"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("t", static_cast<TensorType>(4), {4}, pattern(0)))
                .find("unsupported tensor type id 4"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("o", TensorType::F32, {int64_t{1} << 62, 4}, pattern(0))).find("overflows"),
            std::string::npos);
  EXPECT_NE(error_of(writer.add_tensor("b", TensorType::F32, {4}, std::vector<uint8_t>(15)))
                .find("15 bytes given but its type and shape need 16"),
            std::string::npos);
  // The rejected byte-vector tensor left nothing behind: its name is still free.
  EXPECT_TRUE(writer.add_tensor("b", TensorType::F32, {4}, std::vector<uint8_t>(16)).ok());
}

TEST_F(GgufWriterTest, RejectsInconsistentMetadataBeforeCreatingTheFile) {
  const std::filesystem::path path = dir_ / "never.gguf";
  auto error_of = [&](const std::string& key, Value value) {
    GgufWriter writer;
    writer.set(key, std::move(value));
    const Status status = writer.write(path);
    return status.ok() ? std::string("(ok)") : status.error();
  };
  EXPECT_NE(error_of("k", Value{ValueType::UINT8, uint64_t{256}}).find("key 'k': value 256 is out of range for UINT8"),
            std::string::npos);
  EXPECT_NE(error_of("k", Value{ValueType::INT8, int64_t{-129}}).find("out of range for INT8"), std::string::npos);
  EXPECT_NE(error_of("k", Value{ValueType::STRING, uint64_t{1}}).find("must hold a string"), std::string::npos);
  EXPECT_NE(error_of("k", Value::array(ValueType::UINT32, {Value::u8(1)})).find("array item 0 is UINT8"),
            std::string::npos);
  EXPECT_NE(error_of("", Value::u8(1)).find("metadata key is empty"), std::string::npos);
  EXPECT_NE(error_of("general.alignment", Value::u32(64)).find("but the writer aligns to 32"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));

  GgufWriter bad_alignment(48);
  EXPECT_NE(bad_alignment.write(path).error().find("alignment 48 is not a nonzero power of two"), std::string::npos);
}

TEST_F(GgufWriterTest, ProducerErrorsNameTheTensor) {
  GgufWriter writer;
  ASSERT_TRUE(writer
                  .add_tensor("broken", TensorType::F32, {4},
                              [](std::span<uint8_t>) -> Status { return make_error("source went away"); })
                  .ok());
  const Status status = writer.write(dir_ / "broken.gguf");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "tensor 'broken': source went away");
}

TEST_F(GgufWriterTest, UnwritablePath) {
  GgufWriter writer;
  const Status status = writer.write(dir_ / "missing-dir" / "x.gguf");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("cannot create"), std::string::npos);
}

TEST_F(GgufWriterTest, SplitModelRoundTrips) {
  GgufWriter writer;
  writer.set("general.architecture", Value::string("test"));
  writer.set("test.tokens", Value::string_array({"a", "b"}));
  for (uint8_t i = 0; i < 5; ++i) {
    std::string name = "t";
    name += std::to_string(i);
    ASSERT_TRUE(writer.add_tensor(name, TensorType::F32, {4 + i}, pattern(i)).ok());
  }
  size_t last_progress = 0;
  const Status written = writer.write_split(dir_ / "model", 2, [&](size_t done, size_t total) {
    EXPECT_EQ(done, last_progress + 1);
    EXPECT_EQ(total, 5u);
    last_progress = done;
  });
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_EQ(last_progress, 5u);
  for (uint32_t number = 1; number <= 3; ++number) {
    EXPECT_TRUE(std::filesystem::exists(split_shard_path(dir_ / "model", number, 3)));
  }

  Result<std::unique_ptr<GgufFile>> file = GgufFile::open(dir_ / "model-00001-of-00003.gguf");
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ((*file)->shard_count(), 3u);
  EXPECT_EQ(*(*file)->get_string_array("test.tokens"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*file)->find("split.no")->type, ValueType::UINT16);
  EXPECT_EQ((*file)->find("split.tensors.count")->type, ValueType::INT32);
  ASSERT_EQ((*file)->tensors().size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    const TensorInfo& tensor = (*file)->tensors()[i];
    EXPECT_EQ(tensor.shard, i / 2);
    EXPECT_EQ(tensor.offset, i % 2 == 0 ? 0u : 32u);
    expect_pattern(tensor, static_cast<uint8_t>(i));
  }
  uint64_t total_size = 0;
  for (uint32_t number = 1; number <= 3; ++number) {
    total_size += std::filesystem::file_size(split_shard_path(dir_ / "model", number, 3));
  }
  EXPECT_EQ((*file)->file_size(), total_size);

  Result<std::unique_ptr<GgufFile>> later = GgufFile::open(dir_ / "model-00003-of-00003.gguf");
  ASSERT_FALSE(later.ok());
  EXPECT_NE(later.error().find("open the first shard"), std::string::npos);
}

TEST_F(GgufWriterTest, SplitWithOneShard) {
  GgufWriter writer;
  ASSERT_TRUE(writer.add_tensor("t", TensorType::F32, {4}, pattern(0)).ok());
  ASSERT_TRUE(writer.write_split(dir_ / "single", 10).ok());
  Result<std::unique_ptr<GgufFile>> file = GgufFile::open(dir_ / "single-00001-of-00001.gguf");
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ((*file)->shard_count(), 1u);
  EXPECT_EQ(*(*file)->get_uint("split.count"), 1u);
  EXPECT_NE(writer.write_split(dir_ / "zero", 0).error().find("at least 1"), std::string::npos);
}

}  // namespace
}  // namespace hearth::gguf
