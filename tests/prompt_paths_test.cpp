// Paths typed into `hearth run`'s chat (cli/prompt_paths.h): which words are taken as attachments and what
// text is left.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/prompt_paths.h"
#include "support/temp_dir.h"

namespace hearth::cli {
namespace {

class PromptPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"cat.jpg", "my photo.PNG", "talk.wav", "notes.txt"}) std::ofstream(dir_ / name) << "x";
    std::filesystem::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "sub" / "dog.webp") << "x";
    context_ = {dir_.path(), dir_.path() / "sub"};
  }
  MessageWithPaths extract(const std::string& message) const { return extract_media_paths(message, context_); }
  std::filesystem::path file(const std::string& name) const { return dir_ / name; }

  test::TempDir dir_{"prompt_paths"};
  PathContext context_;
};

TEST_F(PromptPaths, AbsoluteRelativeDotAndHomePathsAreTakenOut) {
  const std::string absolute = file("cat.jpg").string();
  MessageWithPaths m = extract("What is in " + absolute + "?");
  EXPECT_EQ(m.text, "What is in?");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0], file("cat.jpg"));

  m = extract("compare ./cat.jpg and cat.jpg with ~/dog.webp, then listen to talk.wav");
  EXPECT_EQ(m.text, "compare and with, then listen to");
  ASSERT_EQ(m.files.size(), 4u);
  EXPECT_EQ(m.files[0], file("./cat.jpg"));
  EXPECT_EQ(m.files[1], file("cat.jpg"));
  EXPECT_EQ(m.files[2], file("sub") / "dog.webp");
  EXPECT_EQ(m.files[3], file("talk.wav"));
}

TEST_F(PromptPaths, QuotedAndEscapedSpacesAreOnePath) {
  MessageWithPaths m = extract("describe 'my photo.PNG' please");
  EXPECT_EQ(m.text, "describe please");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0], file("my photo.PNG"));

  std::string quoted = "\"";
  quoted += file("my photo.PNG").string();
  quoted += "\" describe";
  m = extract(quoted);
  EXPECT_EQ(m.text, "describe");
  ASSERT_EQ(m.files.size(), 1u);

  m = extract("describe my\\ photo.PNG");
  EXPECT_EQ(m.text, "describe");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0], file("my photo.PNG"));
}

TEST_F(PromptPaths, OtherWordsStayAsTyped) {
  const std::string message = "see missing.jpg, notes.txt, sub and 'a quoted phrase'  with\\ escapes\nnext line";
  const MessageWithPaths m = extract(message);
  EXPECT_EQ(m.text, message);
  EXPECT_TRUE(m.files.empty());
  // Without a home directory ~/ is not expanded; a directory is never an attachment.
  EXPECT_TRUE(extract_media_paths("~/dog.webp", {dir_.path(), {}}).files.empty());
  std::filesystem::create_directories(dir_ / "folder.png");
  EXPECT_TRUE(extract("folder.png").files.empty());
}

TEST_F(PromptPaths, APathAloneLeavesNoText) {
  const MessageWithPaths m = extract("  cat.jpg\ttalk.wav  ");
  EXPECT_EQ(m.text, "");
  EXPECT_EQ(m.files.size(), 2u);
}

}  // namespace
}  // namespace hearth::cli
