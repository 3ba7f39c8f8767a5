// apply_in_child in a forked child of the test: failures stop the checklist and
// are reported back through the outcome pipe, never silently skipped.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "oxydra/sandbox/harden.h"

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
