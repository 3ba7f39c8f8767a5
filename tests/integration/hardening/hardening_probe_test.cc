// Runs oxydra-harden-probe as a real child: it hardens a grandchild with the
// process tier's Landlock, seccomp and rlimits, which then tries forbidden and
// allowed operations. Needs Landlock and seccomp; skipped without them, unless
// OXYDRA_MUST_WORK=1 says this machine kind has both.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/sandbox/landlock.h"
#include "oxydra/sandbox/seccomp_policy.h"
#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/run_command.h"
#include "oxydra/testlib/temp_dir.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// RLIMIT_DATA counts ASan's shadow memory, so sanitizer builds leave it out
// (rlimits.h) and report that; the limit itself is tested in the plain build.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
constexpr int kMemoryMib = 256;
constexpr int kMaxProcesses = 64;

// Empty when the kernel can run these tests, else why not.
std::string missing_kernel_feature() {
  int err = 0;
  if (oxydra::sandbox::landlock_abi(&err) == 0) {
    return std::string("Landlock unavailable: ") + std::strerror(err);
  }
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
    return std::string("seccomp unavailable: ") + std::strerror(errno);
  }
  return {};
}

class HardeningProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_reason_ = new std::string(missing_kernel_feature());
    if (!skip_reason_->empty()) return;
    dir_ = new oxydra::testlib::TempDir("oxyh");
    fs::path root = dir_->path();
    for (const char* sub : {"shared", "tmp", "vault", "ipc", "logs", "internal"}) {
      fs::create_directories(root / "alice" / sub);
    }
    fs::create_directories(root / "bob" / "shared");
    json spec{{"workspace_root", root.string()},
              {"user", "alice"},
              {"outside", (root / "bob" / "shared").string()},
              {"max_processes", kMaxProcesses}};
    spec["max_memory_mib"] = kMemoryMib;
    std::string out =
        oxydra::testlib::run_command(
            {oxydra::testlib::bin_dir() + "/oxydra-harden-probe", "--spec", spec.dump()})
            .out;
    result_ = new json(json::parse(out, nullptr, false));
    raw_ = new std::string(out);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete result_;
    delete raw_;
    delete skip_reason_;
  }

  void SetUp() override {
    if (!skip_reason_->empty()) {
      OXYDRA_SKIP(*skip_reason_);
    }
    ASSERT_FALSE(result_->is_discarded()) << "probe output is not JSON:\n" << *raw_;
    ASSERT_FALSE(result_->contains("error")) << result_->dump(2);
    ASSERT_TRUE((*result_)["outcome"]["ok"].get<bool>()) << result_->dump(2);
    ASSERT_EQ((*result_)["probe_exit"], 0) << result_->dump(2);
  }

  static int abi() { return (*result_)["kernel_landlock_abi"].get<int>(); }
  static const json& report() { return (*result_)["report"]; }

  // The probe entry `name`; fails the test when absent.
  static json probe(const std::string& name) {
    for (const auto& entry : (*result_)["probe"]["probes"]) {
      if (entry["name"] == name) return entry;
    }
    ADD_FAILURE() << "no probe " << name << " in\n" << result_->dump(2);
    return json{{"errno", -1}};
  }

  static void expect_errno(const std::string& name, int err) {
    json entry = probe(name);
    EXPECT_EQ(entry["errno"], err) << name << ": " << entry.dump();
  }

  static inline oxydra::testlib::TempDir* dir_ = nullptr;
  static inline json* result_ = nullptr;
  static inline std::string* raw_ = nullptr;
  static inline std::string* skip_reason_ = nullptr;
};

TEST_F(HardeningProbeTest, EveryProbeGetsTheExpectedResult) {
  for (const auto& entry : (*result_)["probe"]["probes"]) {
    if (entry.contains("not_applicable")) continue;  // reported by the cases below
    EXPECT_TRUE(entry["pass"].get<bool>()) << entry.dump();
  }
}

TEST_F(HardeningProbeTest, LandlockConfinesWritesToTheWorkspace) {
  expect_errno("write_shared", 0);
  expect_errno("write_tmp", 0);
  expect_errno("write_outside", EACCES);  // another user's workspace
  expect_errno("write_vault", EACCES);
  expect_errno("write_usr", EACCES);  // even though the probe runs as root here
  expect_errno("read_etc_shadow", EACCES);
  if (fs::exists("/etc/hostname")) {
    expect_errno("read_etc_hostname", 0);
  }
  expect_errno("exec_bin_true", 0);
}

TEST_F(HardeningProbeTest, LandlockLimitsTcpConnectToConfiguredPorts) {
  if (abi() < 4) GTEST_SKIP() << "Landlock ABI " << abi() << " has no network rules";
  expect_errno("tcp_connect_allowed", 0);
  expect_errno("tcp_connect_denied", EACCES);
}

TEST_F(HardeningProbeTest, LandlockScopesSignalsAndAbstractSockets) {
  if (abi() < 6) GTEST_SKIP() << "Landlock ABI " << abi() << " has no scoping";
  expect_errno("kill_parent", EPERM);
  expect_errno("kill_init", EPERM);
  expect_errno("abstract_unix_connect", EPERM);
}

// Each refused syscall is judged only where the kernel, without the filter,
// would have run it (the launcher's baseline); the others are listed as not
// applicable, with the reason, and neither pass nor fail.
TEST_F(HardeningProbeTest, SeccompRefusesDangerousSyscallsWithEperm) {
  std::string not_applicable;
  int judged = 0;
  for (const char* name :
       {"mount", "umount2", "ptrace_attach_parent", "bpf", "kexec_load", "keyctl", "unshare_user",
        "clone_newuser", "io_uring_setup", "open_by_handle_at", "clone3"}) {
    json entry = probe(name);
    if (entry.contains("not_applicable")) {
      not_applicable +=
          std::string("\n  ") + name + ": " + entry["not_applicable"].get<std::string>();
      continue;
    }
    ++judged;
    EXPECT_EQ(entry["errno"], std::string(name) == "clone3" ? ENOSYS : EPERM) << entry.dump();
  }
  // Running as root on this machine kind, the kernel runs all of them.
  EXPECT_GT(judged, 0) << "no case applicable:" << not_applicable;
  if (!not_applicable.empty()) std::cout << "not applicable here:" << not_applicable << "\n";
}

TEST_F(HardeningProbeTest, ForeignArchitectureSyscallIsKilled) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "not applicable: the int 0x80 path exists only on x86-64";
#endif
  json entry = probe("i386_int80_killed");
  if (entry.contains("not_applicable")) {
    GTEST_SKIP() << "not applicable: " << entry["not_applicable"].get<std::string>();
  }
  EXPECT_EQ(entry["baseline_errno"], 0) << entry.dump();  // ran unfiltered
  EXPECT_EQ(entry["errno"], EPERM) << "the child was not killed by SIGSYS: " << entry.dump();
}

TEST_F(HardeningProbeTest, OrdinaryProcessesAndThreadsStillWork) {
  expect_errno("fork", 0);
  expect_errno("thread", 0);
}

TEST_F(HardeningProbeTest, MemoryLimitHoldsOrIsReportedMissing) {
  if (kAsan) {
    // Not set, and the report says so rather than claiming a limit.
    std::string degraded = (*result_)["degraded"].dump();
    EXPECT_NE(degraded.find("RLIMIT_DATA not set"), std::string::npos) << degraded;
    EXPECT_TRUE(report()["cgroup"]["memory"].is_null()) << report()["cgroup"];
    return;
  }
  expect_errno("memory_over_limit", ENOMEM);
  EXPECT_EQ(report()["cgroup"]["memory"], std::uint64_t{kMemoryMib} << 20);
}

TEST_F(HardeningProbeTest, ReportShowsWhatTheKernelHasInForce) {
  EXPECT_EQ(report()["no_new_privs"], true);
  EXPECT_EQ(report()["seccomp"]["mode"], "filter");
  EXPECT_EQ(report()["seccomp"]["policy"], std::string(oxydra::sandbox::kSeccompPolicyName));
  EXPECT_EQ(report()["landlock"]["abi"], oxydra::sandbox::landlock_abi());
  EXPECT_EQ(report()["landlock"]["status"], abi() >= 6 ? "fully_enforced" : "partially_enforced");
  auto has = [](const json& list, const char* name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  EXPECT_TRUE(has(report()["landlock"]["handled_access_fs"], "write_file"));
  if (abi() >= 4) {
    EXPECT_TRUE(has(report()["landlock"]["handled_access_net"], "connect_tcp"));
  }
  if (abi() >= 6) {
    EXPECT_TRUE(has(report()["landlock"]["scoped"], "signal"));
  }
  EXPECT_EQ(report()["cgroup"]["pids"], kMaxProcesses);
  // The process tier shares every namespace with the runner.
  for (const char* ns : {"user", "mount", "pid", "net", "ipc", "uts", "cgroup"}) {
    EXPECT_EQ(report()["namespaces"][ns], false) << ns;
  }
  EXPECT_EQ(report()["network"], "egress");
  ASSERT_TRUE(report()["writable_paths"].is_array());
  EXPECT_EQ(report()["writable_paths"].size(), 4u);  // shared, tmp, internal, ipc
}

TEST_F(HardeningProbeTest, GuestReadsItsOwnStatusBack) {
  const json& self = (*result_)["probe"]["self"];
  EXPECT_EQ(self["no_new_privs"], true);
  EXPECT_EQ(self["seccomp_mode"], 2);
  EXPECT_GE(self["seccomp_filters"].get<int>(), 1);
  EXPECT_EQ(self["landlock_abi"], abi());
}

TEST_F(HardeningProbeTest, DegradedReasonsNameWhatIsNotEnforced) {
  bool root = ::geteuid() == 0;
  bool nproc_reason = false;
  for (const auto& reason : (*result_)["degraded"]) {
    EXPECT_EQ(reason["code"], "process_hardening_limited");
    std::string detail = reason["detail"];
    if (detail.find("RLIMIT_NPROC") != std::string::npos) nproc_reason = true;
    if (abi() >= 6) {
      EXPECT_EQ(detail.find("landlock"), std::string::npos) << detail;
    }
  }
  // Root ignores RLIMIT_NPROC; the report must say so rather than claim it.
  EXPECT_EQ(nproc_reason, root) << (*result_)["degraded"].dump();
}

}  // namespace
