#include "oxydra/sys/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

namespace oxydra::sys {
namespace {

TEST(TempDir, CreatesAPrivateDirectoryAndRemovesItWithItsContents) {
  std::filesystem::path where;
  {
    std::error_code error;
    TempDir dir = TempDir::create("oxydra-sys-test", error);
    ASSERT_FALSE(error) << error.message();
    where = dir.path();
    EXPECT_EQ(where.filename().string().rfind("oxydra-sys-test-", 0), 0u);
    struct stat st {};
    ASSERT_EQ(::stat(where.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    std::filesystem::create_directories(where / "a" / "b");
    std::ofstream(where / "a" / "b" / "f") << "data";
  }
  EXPECT_FALSE(std::filesystem::exists(where));
}

TEST(TempDir, MovingKeepsTheDirectoryUntilTheLastOwnerGoes) {
  std::error_code error;
  TempDir first = TempDir::create("oxydra-sys-test", error);
  const auto where = first.path();
  TempDir second(std::move(first));
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): a moved-from TempDir is empty
  EXPECT_TRUE(std::filesystem::is_directory(where));
  EXPECT_FALSE(second.remove());
  EXPECT_FALSE(std::filesystem::exists(where));
}

TEST(TempDir, ReportsWhyItCouldNotCreate) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", "/nonexistent-oxydra-dir", 1);
  std::error_code error;
  TempDir dir = TempDir::create("x", error);
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_FALSE(dir);
  EXPECT_EQ(error, std::errc::no_such_file_or_directory);
}

}  // namespace
}  // namespace oxydra::sys
