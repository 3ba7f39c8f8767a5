#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "oxydra/sandbox/enforcement_probe.h"
#include "oxydra/sandbox/harden.h"
#include "oxydra/sandbox/harden_report.h"

namespace oxydra::sandbox {
namespace {

constexpr const char* kStatus =
    "Name:\tcat\nUid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000200000\n"
    "CapPrm:\t0000000000000000\nCapBnd:\t000001ffffffffff\nNoNewPrivs:\t1\n"
    "Seccomp:\t2\nSeccomp_filters:\t3\n";

constexpr const char* kLimits =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max data size             268435456            268435456            bytes     \n"
    "Max core file size        0                    0                    bytes     \n"
    "Max processes             64                   64                   processes \n"
    "Max address space         unlimited            unlimited            bytes     \n";

TEST(HardeningReport, ParsesProcStatus) {
  ProcStatus s = parse_proc_status(kStatus);
  EXPECT_EQ(s.real_uid, 1000u);
  EXPECT_EQ(s.no_new_privs, true);
  EXPECT_EQ(s.seccomp_mode, 2);
  EXPECT_EQ(s.seccomp_filters, 3);
  EXPECT_EQ(s.cap_eff, 0x200000u);
  EXPECT_EQ(s.cap_prm, 0u);
  EXPECT_EQ(s.cap_bnd, 0x1ffffffffffu);
  EXPECT_EQ(parse_proc_status("Name:\tx\n").no_new_privs, std::nullopt);
}

TEST(HardeningReport, ParsesProcLimits) {
  ProcLimits l = parse_proc_limits(kLimits);
  ASSERT_TRUE(l.data && l.processes && l.core && l.address_space);
  EXPECT_EQ(l.data->soft, 268435456u);
  EXPECT_EQ(l.processes->hard, 64u);
  EXPECT_EQ(l.core->soft, 0u);
  EXPECT_EQ(l.address_space->soft, std::nullopt);  // unlimited
}

TEST(HardeningReport, NamesCapabilities) {
  EXPECT_EQ(capability_names(0), std::vector<std::string>{});
  EXPECT_EQ(capability_names(1ULL << 21), std::vector<std::string>{"cap_sys_admin"});
  EXPECT_EQ(capability_names(1ULL << 50), std::vector<std::string>{"cap_50"});
  EXPECT_EQ(capability_mask_hex(0x200000), "0000000000200000");
}

// A plan as prepare_hardening would make it on an ABI 6 kernel, without fds.
HardeningPlan plan_at_abi(int abi) {
  HardeningPlan plan;
  // By hand rather than plan_rlimits(), which leaves RLIMIT_DATA out under ASan.
  plan.rlimits.items = {RlimitSetting{RLIMIT_CORE, 0}, RlimitSetting{RLIMIT_DATA, 256 << 20},
                        RlimitSetting{RLIMIT_NPROC, 64}};
  plan.rlimits.count = 3;
  plan.landlock.abi = abi;
  plan.landlock.handled_access_fs = 0xffff;
  plan.landlock.handled_access_net = abi >= 4 ? 3 : 0;
  plan.landlock.scoped = abi >= 6 ? 3 : 0;
  plan.landlock.writable_paths = {"/w/alice/shared"};
  plan.seccomp.policy = "oxydra-process-v1";
  return plan;
}

ProcessMeasurement measured(std::uint32_t uid) {
  ProcessMeasurement m;
  m.status = parse_proc_status(kStatus);
  m.status.real_uid = uid;
  m.status.cap_eff = 0;
  m.limits = parse_proc_limits(kLimits);
  m.namespaces = NamespaceSet{false, false, false, false, false, false, false};
  return m;
}

ApplyOutcome all_applied() {
  ApplyOutcome o;
  o.rlimits = o.no_new_privs = o.landlock = o.seccomp = true;
  return o;
}

TEST(HardeningReport, FullyAppliedAndMeasuredHasNoDegradedReason) {
  auto plan = plan_at_abi(6);
  auto result = enforcement_report(plan, all_applied(), measured(1000));
  EXPECT_TRUE(result.degraded.empty()) << result.degraded.front().detail;
  const auto& r = result.report;
  EXPECT_EQ(r.no_new_privs, true);
  ASSERT_TRUE(r.seccomp);
  EXPECT_EQ(r.seccomp->mode, "filter");
  EXPECT_EQ(r.seccomp->policy, "oxydra-process-v1");
  ASSERT_TRUE(r.landlock);
  EXPECT_EQ(r.landlock->abi, 6);
  EXPECT_EQ(r.landlock->status, "fully_enforced");
  EXPECT_EQ(r.landlock->scoped, (std::vector<std::string>{"abstract_unix_socket", "signal"}));
  EXPECT_EQ(r.writable_paths, std::vector<std::string>{"/w/alice/shared"});
  ASSERT_TRUE(r.cgroup);
  EXPECT_EQ(r.cgroup->memory, 268435456u);
  EXPECT_EQ(r.cgroup->pids, 64u);
  EXPECT_EQ(r.network, "egress");
}

TEST(HardeningReport, OldAbiIsPartialWithOneReasonPerMissingProtection) {
  auto plan = plan_at_abi(3);
  plan.landlock.limits = {"landlock ABI 3: TCP bind and connect not restricted (needs ABI 4)"};
  auto result = enforcement_report(plan, all_applied(), measured(1000));
  EXPECT_EQ(result.report.landlock->status, "partially_enforced");
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_EQ(result.degraded[0].code, "process_hardening_limited");
  EXPECT_NE(result.degraded[0].detail.find("TCP"), std::string::npos);
}

TEST(HardeningReport, FailedSeccompIsNotReportedAsApplied) {
  auto plan = plan_at_abi(6);
  ApplyOutcome outcome = all_applied();
  outcome.seccomp = false;
  outcome.failed_step = HardeningStep::seccomp;
  outcome.error = EINVAL;
  ProcessMeasurement m = measured(1000);
  m.status.seccomp_mode = 0;
  auto result = enforcement_report(plan, outcome, m);
  EXPECT_EQ(result.report.seccomp->mode, "disabled");
  EXPECT_EQ(result.report.seccomp->policy, std::nullopt);
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_EQ(result.degraded[0].detail,
            "seccomp filter oxydra-process-v1 not loaded: seccomp SECCOMP_SET_MODE_FILTER: "
            "Invalid argument");
}

TEST(HardeningReport, AppliedButNotMeasuredIsDegraded) {
  auto plan = plan_at_abi(6);
  ProcessMeasurement m = measured(1000);
  m.status.no_new_privs = false;
  auto result = enforcement_report(plan, all_applied(), m);
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_NE(result.degraded[0].detail.find("no_new_privs"), std::string::npos);
  EXPECT_EQ(result.report.no_new_privs, false);
}

TEST(HardeningReport, MissingLandlockIsUnsupportedAndDegraded) {
  HardeningPlan plan = plan_at_abi(6);
  plan.landlock = LandlockPlan{};
  plan.landlock.limits = {
      "landlock unavailable: landlock_create_ruleset: Function not implemented"};
  ApplyOutcome outcome = all_applied();
  outcome.landlock = false;
  auto result = enforcement_report(plan, outcome, measured(1000));
  EXPECT_EQ(result.report.landlock->status, "unsupported");
  EXPECT_EQ(result.report.landlock->abi, std::nullopt);
  EXPECT_EQ(result.report.writable_paths, std::nullopt);
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_NE(result.degraded[0].detail.find("unavailable"), std::string::npos);
}

TEST(HardeningReport, ASkippedMemoryLimitIsDegraded) {
  auto plan = plan_at_abi(6);
  plan.rlimits.count = 1;  // RLIMIT_CORE only
  plan.rlimits.memory_skipped = "RLIMIT_DATA not set: test";
  auto result = enforcement_report(plan, all_applied(), measured(1000));
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_EQ(result.degraded[0].detail, "RLIMIT_DATA not set: test");
}

TEST(HardeningReport, RootIgnoresTheProcessLimitAndTheReportSaysSo) {
  auto plan = plan_at_abi(6);
  auto result = enforcement_report(plan, all_applied(), measured(0));
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_NE(result.degraded[0].detail.find("RLIMIT_NPROC 64 not enforced"), std::string::npos);
}

}  // namespace
}  // namespace oxydra::sandbox
