#include "oxydra/tools/open_beneath.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <gtest/gtest.h>

#include "temp_workspace.h"

namespace oxydra::tools {
namespace {

namespace fs = std::filesystem;
using testing::TempWorkspace;

class OpenBeneath : public ::testing::TestWithParam<BeneathMethod> {
 protected:
  void SetUp() override {
    if (GetParam() == BeneathMethod::openat2 && !openat2_supported()) {
      GTEST_SKIP() << "openat2 is not available on this kernel";
    }
    TempWorkspace::write(ws_.shared() / "dir/file.txt", "inside");
    TempWorkspace::write(ws_.outside() / "secret.txt", "secret");
    fs::create_symlink("dir/file.txt", ws_.shared() / "rel_link");
    fs::create_symlink("../dir/file.txt", ws_.shared() / "dir/up_link");
    fs::create_symlink(ws_.outside() / "secret.txt", ws_.shared() / "abs_out");
    fs::create_symlink("../outside/secret.txt", ws_.shared() / "rel_out");
    fs::create_symlink("../outside", ws_.shared() / "dir_out");
    fs::create_symlink("dir", ws_.shared() / "dir_in");
    fs::create_symlink("loop", ws_.shared() / "loop");
    root_ = ::open(ws_.shared().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_, 0);
  }
  void TearDown() override {
    if (root_ >= 0) ::close(root_);
  }

  BeneathResult open(std::string_view path, int flags = O_RDONLY, mode_t mode = 0) {
    return open_beneath(root_, path, flags, mode, GetParam());
  }
  std::string contents(const BeneathResult& r) {
    char buf[64];
    const ssize_t n = ::pread(r.fd.get(), buf, sizeof buf, 0);
    return n < 0 ? "" : std::string(buf, static_cast<std::size_t>(n));
  }

  TempWorkspace ws_;
  int root_ = -1;
};

TEST_P(OpenBeneath, OpensPathsInsideTheRoot) {
  EXPECT_EQ(contents(open("dir/file.txt")), "inside");
  EXPECT_EQ(contents(open("./dir/../dir/file.txt")), "inside");
  EXPECT_EQ(contents(open("rel_link")), "inside");
  EXPECT_EQ(contents(open("dir/up_link")), "inside");
  EXPECT_EQ(contents(open("dir_in/file.txt")), "inside");
  EXPECT_TRUE(open("", O_PATH | O_DIRECTORY));
  EXPECT_TRUE(open("dir/..", O_PATH | O_DIRECTORY));
}

TEST_P(OpenBeneath, RefusesEveryWayOut) {
  for (const char* path : {"..", "../outside/secret.txt", "dir/../../outside/secret.txt", "abs_out",
                           "rel_out", "dir_out/secret.txt", "dir_out"}) {
    auto r = open(path);
    EXPECT_FALSE(r) << path;
    EXPECT_EQ(r.error, EXDEV) << path;
  }
  auto absolute = open((ws_.outside() / "secret.txt").string());
  EXPECT_EQ(absolute.error, EXDEV);
  EXPECT_EQ(open("loop").error, ELOOP);
  EXPECT_EQ(open("missing").error, ENOENT);
  EXPECT_EQ(open("dir/file.txt/x").error, ENOTDIR);
}

TEST_P(OpenBeneath, CreatesOnlyInside) {
  auto created = open("dir/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_TRUE(created) << created.error;
  EXPECT_TRUE(fs::exists(ws_.shared() / "dir/new.txt"));

  // A dangling link pointing out must not create the file outside.
  fs::create_symlink("../outside/planted.txt", ws_.shared() / "dangling_out");
  auto planted = open("dangling_out", O_WRONLY | O_CREAT, 0644);
  EXPECT_EQ(planted.error, EXDEV);
  EXPECT_FALSE(fs::exists(ws_.outside() / "planted.txt"));

  auto exclusive = open("rel_link", O_WRONLY | O_CREAT | O_EXCL, 0644);
  EXPECT_EQ(exclusive.error, EEXIST);
}

INSTANTIATE_TEST_SUITE_P(Methods, OpenBeneath,
                         ::testing::Values(BeneathMethod::openat2, BeneathMethod::walk),
                         testing::method_name);

}  // namespace
}  // namespace oxydra::tools
