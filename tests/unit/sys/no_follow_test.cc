#include "oxydra/sys/no_follow.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "oxydra/sys/peer_cred.h"
#include "oxydra/sys/temp_dir.h"
#include "oxydra/testlib/must_work.h"

namespace oxydra::sys {
namespace {

namespace fs = std::filesystem;

struct Tree {
  std::error_code error;
  TempDir dir = TempDir::create("oxydra-no-follow", error);
  fs::path path(const std::string& name) const { return fs::path(dir.path()) / name; }
};

TEST(OpenBeneath, OpensInsideAndRefusesSymlinksAndEscapes) {
  Tree t;
  fs::create_directories(t.path("root/sub"));
  fs::create_directories(t.path("outside"));
  std::ofstream(t.path("root/sub/file")) << "x";
  fs::create_directory_symlink(t.path("outside"), t.path("root/link"));
  fs::create_symlink(t.path("root/sub/file"), t.path("root/file-link"));

  EXPECT_TRUE(open_beneath(t.path("root"), t.path("root/sub/file"), O_RDONLY));
  EXPECT_TRUE(open_beneath(t.path("root"), t.path("root/sub"), O_PATH | O_DIRECTORY));
  for (const char* refused : {"root/link", "root/file-link"}) {
    errno = 0;
    EXPECT_FALSE(open_beneath(t.path("root"), t.path(refused), O_RDONLY)) << refused;
    EXPECT_EQ(errno, ELOOP) << refused;
  }
  errno = 0;
  EXPECT_FALSE(open_beneath(t.path("root"), t.path("outside"), O_RDONLY));
  EXPECT_EQ(errno, EXDEV);
  errno = 0;
  EXPECT_FALSE(open_beneath(t.path("root"), t.path("root/sub/../../outside"), O_RDONLY));
  EXPECT_NE(errno, 0);
}

TEST(ChownTreeNoFollow, ChangesTheTreeButNeverASymlinkTarget) {
  OXYDRA_SKIP_UNLESS(::geteuid() == 0, "needs root to give files to another uid");
  Tree t;
  fs::create_directories(t.path("tree/a/b"));
  std::ofstream(t.path("tree/a/b/file")) << "x";
  std::ofstream(t.path("victim")) << "host file";
  fs::create_symlink(t.path("victim"), t.path("tree/a/link"));
  fs::create_directory_symlink(t.path(""), t.path("tree/up"));

  fs::path failed;
  ASSERT_EQ(chown_tree_no_follow(t.path("tree"), 4321, 4321, failed), 0) << failed;
  for (const char* name : {"tree", "tree/a", "tree/a/b", "tree/a/b/file", "tree/a/link"}) {
    struct stat st {};
    ASSERT_EQ(::lstat(t.path(name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, 4321u) << name;
  }
  struct stat victim {};
  ASSERT_EQ(::stat(t.path("victim").c_str(), &victim), 0);
  EXPECT_EQ(victim.st_uid, 0u);
  ASSERT_EQ(::stat(t.path("").c_str(), &victim), 0);
  EXPECT_EQ(victim.st_uid, 0u);

  // The top itself must not be a symlink either.
  EXPECT_NE(chown_tree_no_follow(t.path("tree/up"), 4321, 4321, failed), 0);
  ASSERT_EQ(::stat(t.path("").c_str(), &victim), 0);
  EXPECT_EQ(victim.st_uid, 0u);
}

TEST(PeerCred, ReportsTheConnectingProcess) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  auto peer = peer_cred(pair[0]);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->pid, ::getpid());
  EXPECT_EQ(peer->uid, ::geteuid());
  EXPECT_TRUE(peer->in_group(::getegid()));
  ::close(pair[0]);
  ::close(pair[1]);
  int not_a_socket = ::open("/dev/null", O_RDONLY);
  EXPECT_FALSE(peer_cred(not_a_socket));
  ::close(not_a_socket);
}

}  // namespace
}  // namespace oxydra::sys
