#include <sys/stat.h>

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
  for (const auto* d : {&policy.layout.ipc, &policy.layout.internal, &policy.layout.vault,
                        &policy.layout.logs, &policy.layout.root}) {
    EXPECT_EQ(mode_of(*d), 0700u) << *d;
  }
  EXPECT_TRUE(fs::is_directory(policy.layout.shared));
  EXPECT_TRUE(fs::is_directory(policy.layout.tmp));

  ::chmod(policy.layout.ipc.c_str(), 0755);
  fs::create_directories(policy.layout.shared / "kept");
  ASSERT_TRUE(provision_workspace(policy));
  EXPECT_EQ(mode_of(policy.layout.ipc), 0700u);
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

}  // namespace
}  // namespace oxydra::runner
