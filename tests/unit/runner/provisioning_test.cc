#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/provisioning.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

namespace fs = std::filesystem;

UserPolicy policy_in(const std::string& root) {
  UserPolicy p;
  p.user_id = "alice";
  p.layout = workspace_layout(root, "alice");
  p.shared = p.layout.shared;
  p.tmp = p.layout.tmp;
  p.vault = p.layout.vault;
  return p;
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(Provisioning, CreatesEveryDirectoryWithPrivateModesIdempotently) {
  testlib::TempDir dir;
  auto policy = policy_in(dir.path() + "/ws");
  ASSERT_TRUE(provision_workspace(policy));
  for (const auto* d : {&policy.layout.control, &policy.layout.internal, &policy.layout.vault,
                        &policy.layout.logs, &policy.layout.root}) {
    EXPECT_EQ(mode_of(*d), 0700u) << *d;
  }
  EXPECT_EQ(mode_of(policy.layout.ipc), 0711u);
  EXPECT_TRUE(fs::is_directory(policy.layout.shared));
  EXPECT_TRUE(fs::is_directory(policy.layout.tmp));

  ::chmod(policy.layout.ipc.c_str(), 0777);
  ::chmod(policy.layout.control.c_str(), 0755);
  fs::create_directories(policy.layout.shared / "kept");
  ASSERT_TRUE(provision_workspace(policy));
  EXPECT_EQ(mode_of(policy.layout.ipc), 0711u);
  EXPECT_EQ(mode_of(policy.layout.control), 0700u);
  EXPECT_TRUE(fs::exists(policy.layout.shared / "kept"));
}

TEST(Provisioning, RefusesASymlinkedRunnerDirectory) {
  testlib::TempDir dir;
  auto policy = policy_in(dir.path() + "/ws");
  fs::create_directories(policy.layout.root);
  fs::create_directories(dir.path() + "/elsewhere");
  fs::create_directory_symlink(dir.path() + "/elsewhere", policy.layout.ipc);
  auto result = provision_workspace(policy);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("symlink"), std::string::npos) << result.error().message;
}

TEST(Provisioning, RefusesAFileWhereADirectoryBelongs) {
  testlib::TempDir dir;
  auto policy = policy_in(dir.path() + "/ws");
  fs::create_directories(policy.layout.root);
  {
    std::FILE* f = std::fopen(policy.layout.logs.c_str(), "w");
    std::fclose(f);
  }
  auto result = provision_workspace(policy);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(policy.layout.logs.string()), std::string::npos);
}

TEST(Provisioning, TakesIpcAndControlBackFromAGuest) {
  testlib::TempDir dir;
  auto policy = policy_in(dir.path() + "/ws");
  ASSERT_TRUE(provision_workspace(policy));
  // An older layout gave ipc/ to the guest's uid; it must not keep it.
  ASSERT_EQ(::chown(policy.layout.ipc.c_str(), 4242, 4242), 0);
  ASSERT_EQ(::chown(policy.layout.control.c_str(), 4242, 4242), 0);
  ASSERT_TRUE(provision_workspace(policy, 4242));
  for (const auto* d : {&policy.layout.ipc, &policy.layout.control}) {
    struct stat st {};
    ASSERT_EQ(::stat(d->c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, ::geteuid()) << *d;
  }
}

TEST(Provisioning, ControlDirectoryGetsTheOperatorGroup) {
  testlib::TempDir dir;
  auto policy = policy_in(dir.path() + "/ws");
  ASSERT_TRUE(provision_workspace(policy, std::nullopt, gid_t{4343}));
  struct stat st {};
  ASSERT_EQ(::stat(policy.layout.control.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, 4343u);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
}

TEST(Provisioning, OverridesAreCheckedNeverCreatedOrChanged) {
  testlib::TempDir dir;
  auto policy = policy_in(dir.path() + "/ws");
  const fs::path root = dir.path() + "/allowed";
  fs::create_directories(root / "alice");
  fs::create_directories(dir.path() + "/etc");
  ::chmod((root / "alice").c_str(), 0750);
  policy.mount_roots = {root};
  policy.shared = root / "alice";
  ASSERT_TRUE(provision_workspace(policy));
  EXPECT_EQ(mode_of(root / "alice"), 0750u);

  policy.shared = root / "absent";
  auto absent = provision_workspace(policy);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::path_refused);
  EXPECT_FALSE(fs::exists(root / "absent"));

  // A symlink below the root that points out of it.
  fs::create_directory_symlink(dir.path() + "/etc", root / "link");
  policy.shared = root / "link";
  auto linked = provision_workspace(policy);
  ASSERT_FALSE(linked);
  EXPECT_NE(linked.error().message.find("symlink"), std::string::npos) << linked.error().message;

  policy.shared = dir.path() + "/etc";
  EXPECT_FALSE(provision_workspace(policy));
}

}  // namespace
}  // namespace oxydra::runner
