#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "oxydra/sandbox/harden.h"
#include "oxydra/sandbox/landlock_policy.h"
#include "oxydra/sandbox/seccomp.h"
#include "oxydra/sandbox/seccomp_policy.h"

namespace oxydra::sandbox {
namespace {

constexpr std::uint64_t kWriteFile = 1ULL << 1;
constexpr std::uint64_t kExecute = 1ULL << 0;
constexpr std::uint64_t kMakeChar = 1ULL << 6;
constexpr std::uint64_t kMakeBlock = 1ULL << 11;

const PathRule* find(const std::vector<PathRule>& rules, const std::string& path) {
  auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.path == path; });
  return it == rules.end() ? nullptr : &*it;
}

TEST(HardeningPolicy, SystemPathsAreNeverWritableAndKeepSecretsOut) {
  auto rules = system_path_rules();
  for (const auto& rule : rules) {
    EXPECT_NE(rule.access, PathAccess::read_write) << rule.path;
    EXPECT_FALSE(rule.required) << rule.path;
  }
  ASSERT_NE(find(rules, "/usr"), nullptr);
  EXPECT_EQ(find(rules, "/usr")->access, PathAccess::read_exec);
  ASSERT_NE(find(rules, "/etc/ssl"), nullptr);
  for (const char* secret :
       {"/", "/etc", "/etc/shadow", "/root", "/home", "/tmp", "/var", "/run"}) {
    EXPECT_EQ(find(rules, secret), nullptr) << secret;
  }
}

TEST(HardeningPolicy, WorkspaceGrantsOnlyTheUsersOwnDirectories) {
  auto rules = workspace_path_rules(workspace_layout("/w", "alice"));
  for (const char* dir : {"shared", "tmp", "internal", "ipc"}) {
    const PathRule* rule = find(rules, std::string("/w/alice/") + dir);
    ASSERT_NE(rule, nullptr) << dir;
    EXPECT_EQ(rule->access, PathAccess::read_write) << dir;
    EXPECT_TRUE(rule->required) << dir;
  }
  ASSERT_NE(find(rules, "/w/alice/vault"), nullptr);
  EXPECT_EQ(find(rules, "/w/alice/vault")->access, PathAccess::read);
  EXPECT_EQ(find(rules, "/w/alice/logs"), nullptr);
  EXPECT_EQ(find(rules, "/w/alice"), nullptr);
  EXPECT_EQ(find(rules, "/w"), nullptr);
}

TEST(HardeningPolicy, AccessClassesGrantNoMoreThanTheirName) {
  EXPECT_EQ(fs_access_rights(PathAccess::read) & (kWriteFile | kExecute), 0u);
  EXPECT_EQ(fs_access_rights(PathAccess::read_exec) & kWriteFile, 0u);
  EXPECT_NE(fs_access_rights(PathAccess::read_exec) & kExecute, 0u);
  EXPECT_EQ(fs_access_rights(PathAccess::read_write) & (kMakeChar | kMakeBlock | kExecute), 0u);
  EXPECT_EQ(fs_access_rights(PathAccess::device) & kExecute, 0u);
}

TEST(HardeningPolicy, ProcessTierSpecAddsExecutablePortsAndResources) {
  PolicyResources resources;
  resources.max_memory_mib = 512;
  resources.max_processes = 32;
  auto spec = process_tier_spec(workspace_layout("/w", "alice"), "/opt/oxydra/bin/oxydra-vm", {443},
                                resources);
  const PathRule* exe = find(spec.landlock.paths, "/opt/oxydra/bin/oxydra-vm");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->access, PathAccess::read_exec);
  EXPECT_TRUE(exe->required);
  EXPECT_EQ(spec.landlock.tcp_connect_ports, std::vector<std::uint16_t>{443});
  EXPECT_TRUE(spec.landlock.tcp_bind_ports.empty());
  EXPECT_TRUE(spec.landlock.scope_signal);
  EXPECT_EQ(spec.max_memory_mib, 512u);
  EXPECT_EQ(spec.max_processes, 32u);
}

TEST(HardeningPolicy, SeccompTableRefusesTheRequiredSyscalls) {
  auto denied = seccomp_denied_syscalls();
  for (const char* name : {"mount",       "umount2",         "ptrace",
                           "kexec_load",  "kexec_file_load", "bpf",
                           "init_module", "finit_module",    "delete_module",
                           "reboot",      "swapon",          "swapoff",
                           "keyctl",      "add_key",         "request_key",
                           "unshare",     "setns",           "open_by_handle_at",
                           "userfaultfd", "perf_event_open", "io_uring_setup",
                           "fsmount",     "move_mount"}) {
    auto it = std::find_if(denied.begin(), denied.end(),
                           [&](const SyscallDenial& d) { return d.name == name; });
    ASSERT_NE(it, denied.end()) << name;
    EXPECT_EQ(it->error, EPERM) << name;
  }
  EXPECT_FALSE(seccomp_denied_clone_flags().empty());
}

TEST(HardeningPolicy, SeccompPolicyCompilesForThisArchitecture) {
  auto plan = compile_seccomp_policy();
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->policy, kSeccompPolicyName);
  EXPECT_GT(plan->program.size(), seccomp_denied_syscalls().size());
  // Names this libseccomp or architecture lacks are skipped; the core never is.
  for (const char* core : {"read", "write", "execve", "mmap", "clone", "personality", "ioctl"}) {
    EXPECT_EQ(std::count(plan->skipped.begin(), plan->skipped.end(), core), 0) << core;
  }
}

TEST(HardeningPolicy, AllowListHoldsNoRefusedOrConditionalCall) {
  auto allowed = seccomp_allowed_syscalls();
  ASSERT_GT(allowed.size(), 250u);
  for (const auto& denial : seccomp_denied_syscalls()) {
    EXPECT_EQ(std::count(allowed.begin(), allowed.end(), denial.name), 0) << denial.name;
  }
  for (const char* conditional :
       {"clone", "personality", "socket", "ioctl", "modify_ldt", "clone3"}) {
    EXPECT_EQ(std::count(allowed.begin(), allowed.end(), conditional), 0) << conditional;
  }
}

TEST(HardeningPolicy, RuntimeListIsANarrowerSubsetWithoutConditionalCalls) {
  auto allowed = seccomp_allowed_syscalls();
  auto runtime = seccomp_runtime_syscalls();
  EXPECT_LT(runtime.size(), allowed.size() / 2);
  for (const auto name : runtime) {
    EXPECT_EQ(std::count(allowed.begin(), allowed.end(), name), 1) << name;
  }
  for (const char* conditional : {"clone", "personality", "socket", "ioctl", "ptrace", "mount"}) {
    EXPECT_EQ(std::count(runtime.begin(), runtime.end(), conditional), 0) << conditional;
  }
}

// The rules must match every 32-bit value but the excluded ones, whatever
// the high 32 bits hold.
bool any_rule_matches(const std::vector<ArgRule>& rules, std::uint64_t x) {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const ArgRule& r) { return (x & r.value) == r.value_two; });
}

TEST(HardeningPolicy, AllowAllButLeavesExactlyTheExcludedValues) {
  const std::uint32_t excluded[] = {0x5412, 0x541c};
  const auto rules = allow_all_but("ioctl", 1, excluded);
  EXPECT_LE(rules.size(), 64u);
  for (const auto& r : rules) {
    EXPECT_EQ(r.value >> 32, 0u);  // only the low 32 bits are compared
    EXPECT_EQ(r.op, ArgOp::masked_eq);
  }
  for (std::uint64_t x = 0x5400; x < 0x5430; ++x) {
    const bool refused = x == 0x5412 || x == 0x541c;
    EXPECT_EQ(any_rule_matches(rules, x), !refused) << std::hex << x;
    EXPECT_EQ(any_rule_matches(rules, x | 0xdead'0000'0000'0000ull), !refused) << std::hex << x;
  }
  for (std::uint64_t x : {0ull, 0x80045430ull, 0xffffffffull, 0x5412ull << 1}) {
    EXPECT_TRUE(any_rule_matches(rules, x)) << std::hex << x;
  }
}

}  // namespace
}  // namespace oxydra::sandbox
