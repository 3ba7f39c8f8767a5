// The workspace's filesystem full under a running agent, with the real
// binaries: the workspace is a small ext4 filesystem on a loop device, filled
// to the last block while the pair runs. A turn then fails with one clear
// line to the user and in the log, the conversation database stays intact,
// and the agent works again once space returns (docs/reliability.md).

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/sqlite_check.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

// Writes zeros to `path` until the filesystem refuses (ENOSPC).
bool fill(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  static const std::string block(1 << 16, '\0');
  ssize_t n = 0;
  while ((n = ::write(fd, block.data(), block.size())) > 0) {
  }
  const bool full = n < 0 && errno == ENOSPC;
  // Then the last partial blocks, byte-sized.
  while (::write(fd, block.data(), 1) == 1) {
  }
  ::fsync(fd);
  ::close(fd);
  return full;
}

class DiskFull : public RunnerFixture, public ::testing::WithParamInterface<TestTier> {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(GetParam());
    OXYDRA_SKIP_UNLESS(::geteuid() == 0, "mounting a small filesystem needs root");
    OXYDRA_SKIP_UNLESS(::access("/sbin/mkfs.ext4", X_OK) == 0,
                       "mkfs.ext4 is not installed (e2fsprogs)");
    ::chmod(fs::path(config_path()).parent_path().c_str(), 0711);
    // 96 MiB: room for the pair's files and disk images (sparse), not much more.
    const std::string image = file("workspace.ext4");
    fs::create_directories(workspace());
    auto made = run_command({"/bin/sh", "-c",
                             "truncate -s 96M '" + image + "' && mkfs.ext4 -q -m 0 '" + image +
                                 "' && mount -o loop '" + image + "' '" + workspace() + "'"},
                            {}, 60s);
    ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
    mounted_ = true;
  }
  void TearDown() override {
    RunnerFixture::TearDown();
    if (GetParam() == TestTier::docker) remove_docker_guests("alice");
    if (mounted_) ::umount2(workspace().c_str(), MNT_DETACH);
  }
  bool mounted_ = false;
};

TEST_P(DiskFull, AFullWorkspaceIsAClearErrorAndTheAgentRecovers) {
  testlib::FakeLlmServer llm;
  llm.enqueue(testlib::openai_stream(says("Before the disk filled.")));
  llm.enqueue(testlib::openai_stream(says("After space returned.")));
  ConfigOptions options = tier_options(GetParam());
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  auto started = runner(tier_start_args(GetParam()), 180s);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto first = runner({"ask", "First."}, 180s);
  ASSERT_EQ(first.exit_code, 0) << first.err;

  const std::string filler = workspace() + "/filler";
  ASSERT_TRUE(fill(filler)) << "the workspace never filled";
  auto full = runner({"ask", "Second."}, 180s);
  EXPECT_NE(full.exit_code, 0) << full.out;
  // One line saying what failed on which file, and what to do.
  EXPECT_EQ(full.err.rfind("error: ", 0), 0u) << full.err;
  EXPECT_NE(full.err.find("memory.db: exec: No space left on device"), std::string::npos)
      << full.err;
  EXPECT_NE(full.err.find("\nhint: "), std::string::npos) << full.err;
  EXPECT_EQ(std::count(full.err.begin(), full.err.end(), '\n'), 2) << full.err;
  // The turn stopped before calling the model: nothing to pay for.
  EXPECT_EQ(llm.request_count(), 1u);

  fs::remove(filler);
  auto again = runner({"ask", "Third."}, 180s);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("After space returned."), std::string::npos) << again.out;
  // The agent's error reached the log: written then or, where the log's own
  // filesystem was full too, held by the runner and written once it could be.
  auto logs = runner({"logs", "--role", "runtime", "--tail", "100"});
  EXPECT_NE(logs.out.find("No space left"), std::string::npos) << logs.out << logs.err;
  ASSERT_EQ(runner({"stop"}, 120s).exit_code, 0);

  const std::string database = user_root() + "/internal/memory.db";
  auto check = testlib::check_sqlite(database, "SELECT content FROM messages");
  EXPECT_EQ(check.integrity, "ok") << database;
  EXPECT_NE(check.rows.find("Before the disk filled."), std::string::npos) << check.rows;
  EXPECT_NE(check.rows.find("After space returned."), std::string::npos) << check.rows;
}

INSTANTIATE_TEST_SUITE_P(Tiers, DiskFull,
                         ::testing::Values(TestTier::process, TestTier::oci, TestTier::docker,
                                           TestTier::micro_vm),
                         tier_test_name);

}  // namespace
}  // namespace oxydra::runner_test
