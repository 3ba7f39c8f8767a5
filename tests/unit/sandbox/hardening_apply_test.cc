// apply_in_child in a forked child of the test: failures stop the checklist and
// are reported back through the outcome pipe, never silently skipped.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "oxydra/sandbox/harden.h"
#include "oxydra/sandbox/seccomp_policy.h"

namespace oxydra::sandbox {
namespace {

// Runs apply_in_child(plan) in a child and returns what it reported.
Result<ApplyOutcome> apply_in_forked_child(const HardeningPlan& plan) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail(ErrorCode::internal, "pipe2");
  pid_t pid = ::fork();
  if (pid == 0) {
    send_outcome(fds[1], apply_in_child(plan));
    ::_exit(0);
  }
  ::close(fds[1]);
  auto outcome = receive_outcome(fds[0]);
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return outcome;
}

TEST(HardeningApply, ABadSeccompProgramStopsTheChecklistWithItsErrno) {
  HardeningPlan plan;  // no rlimits, no Landlock ruleset
  plan.seccomp.policy = "test";
  plan.seccomp.program = {sock_filter{0xffff, 0, 0, 0}};  // not a BPF opcode
  auto outcome = apply_in_forked_child(plan);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->failed_step, HardeningStep::seccomp);
  EXPECT_EQ(outcome->error, EINVAL);
  EXPECT_TRUE(outcome->no_new_privs);
  EXPECT_FALSE(outcome->seccomp);
  EXPECT_EQ(describe(*outcome), "seccomp SECCOMP_SET_MODE_FILTER: Invalid argument");
}

TEST(HardeningApply, AnEmptySeccompProgramIsAFailureNotASkip) {
  HardeningPlan plan;
  auto outcome = apply_in_forked_child(plan);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->failed_step, HardeningStep::seccomp);
}

// A mount that fails harmlessly on its own (the target does not exist), in a
// child, after applying `plan` when given: its errno.
int mount_errno_in_child(const HardeningPlan* plan) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (plan && !apply_in_child(*plan).ok()) ::_exit(255);
    int rc = ::mount("none", "/nonexistent/oxydra-mount", "tmpfs", 0, nullptr);
    ::_exit(rc == 0 ? 0 : errno);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Each probe's errno (0 when the call succeeded) in a child, with the
// process tier's seccomp filter applied when `filtered`.
std::vector<int> allow_list_probes_in_child(bool filtered) {
  auto seccomp = compile_seccomp_policy();
  if (!seccomp) return {};
  HardeningPlan plan;
  plan.seccomp = std::move(*seccomp);
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (filtered && !apply_in_child(plan).ok()) ::_exit(255);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const auto result = [](long rc) { return rc < 0 ? errno : 0; };
    int out[4];
    out[0] = result(::syscall(SYS_personality, 0xffffffffUL));           // query: allowed
    out[1] = result(::syscall(SYS_personality, 0x0040000UL));            // ADDR_NO_RANDOMIZE
    out[2] = result(::syscall(SYS_ioctl, null_fd, 0x5412UL, "x"));       // TIOCSTI
    out[3] = result(::syscall(SYS_ioctl, null_fd, 0x100005412UL, "x"));  // high bits set
    if (::write(fds[1], out, sizeof out) != sizeof out) ::_exit(254);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::vector<int> got(4, -1);
  if (::read(fds[0], got.data(), sizeof(int) * 4) != sizeof(int) * 4) got.clear();
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return got;
}

TEST(HardeningApply, AllowListRefusesHarmlessCallsOutsideIt) {
  const auto baseline = allow_list_probes_in_child(false);
  ASSERT_EQ(baseline.size(), 4u);
  // Without the filter: personality changes work, TIOCSTI on /dev/null is
  // ENOTTY. A host that already refuses them (an outer seccomp filter, say)
  // cannot show what ours adds.
  if (baseline[1] != 0 || baseline[2] != ENOTTY) {
    GTEST_SKIP() << "not applicable: without our filter personality gives errno " << baseline[1]
                 << " and TIOCSTI errno " << baseline[2] << " already";
  }
  const auto filtered = allow_list_probes_in_child(true);
  ASSERT_EQ(filtered.size(), 4u);
  EXPECT_EQ(filtered[0], 0);
  EXPECT_EQ(filtered[1], EPERM);
  EXPECT_EQ(filtered[2], EPERM);
  EXPECT_EQ(filtered[3], EPERM);
}

// Landlock refuses mount too; this shows the seccomp filter alone does, even for
// a root guest holding CAP_SYS_ADMIN, whose mount would otherwise reach the kernel.
TEST(HardeningApply, SeccompAloneRefusesMountWithEperm) {
  HardeningPlan plan;
  auto seccomp = compile_seccomp_policy();
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  plan.seccomp = std::move(*seccomp);
  int without_filter = mount_errno_in_child(nullptr);
  EXPECT_EQ(mount_errno_in_child(&plan), EPERM);
  if (::geteuid() == 0) {
    EXPECT_EQ(without_filter, ENOENT) << "as root the unfiltered mount reaches the path lookup";
  }
}

TEST(HardeningApply, ACompletePlanAppliesEveryStep) {
  HardeningSpec spec;
  spec.landlock.paths = system_path_rules();
  auto plan = prepare_hardening(spec);
  ASSERT_TRUE(plan) << plan.error().message;
  auto outcome = apply_in_forked_child(*plan);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(outcome->ok()) << describe(*outcome);
  EXPECT_TRUE(outcome->rlimits);
  EXPECT_TRUE(outcome->no_new_privs);
  EXPECT_EQ(outcome->landlock, plan->landlock.abi > 0);
  EXPECT_TRUE(outcome->seccomp);
}

TEST(HardeningApply, ReceivingFromAChildThatSentNothingIsAnError) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[1]);
  auto outcome = receive_outcome(fds[0]);
  ::close(fds[0]);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().message, "read hardening outcome: the child ended before reporting");
}

TEST(HardeningApply, AMissingRequiredPathNamesThePathAndErrno) {
  if (landlock_abi() == 0) GTEST_SKIP() << "no Landlock on this kernel";
  HardeningSpec spec;
  spec.landlock.paths = {PathRule{"/nonexistent/oxydra", PathAccess::read_write, true}};
  auto plan = prepare_hardening(spec);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::process_hardening_failed);
  EXPECT_EQ(plan.error().message, "landlock open /nonexistent/oxydra: No such file or directory");
}

TEST(HardeningApply, AMissingOptionalPathIsSkipped) {
  if (landlock_abi() == 0) GTEST_SKIP() << "no Landlock on this kernel";
  HardeningSpec spec;
  spec.landlock.paths = {PathRule{"/nonexistent/oxydra", PathAccess::read, false},
                         PathRule{"/dev/null", PathAccess::device, false}};
  auto plan = prepare_hardening(spec);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->landlock.skipped_paths, std::vector<std::string>{"/nonexistent/oxydra"});
}

}  // namespace
}  // namespace oxydra::sandbox
