// The micro_vm tier with the qemu driver, end to end with the real binaries,
// QEMU under software emulation (this machine kind's KVM cannot boot a guest)
// and the images of scripts/build-microvm-images: the model's shell_exec runs
// inside the shell VM, exec sees the guest's kernel, status reports the VM as
// measured, stop powers both VMs off, kill -9 of the runner leaves no VMM,
// and a crashed VM is restarted.

#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

using testlib::images_dir;

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The pids of the QEMU processes in the user's VMM cgroups.
std::vector<pid_t> vmm_pids() {
  std::vector<pid_t> pids;
  for (const char* role : {"shell-vm", "oxydra-vm"}) {
    std::ifstream in(std::string("/sys/fs/cgroup/pids/oxydra/oxydra-alice-") + role +
                     "/cgroup.procs");
    pid_t pid = 0;
    while (in >> pid)
      pids.push_back(pid);
  }
  return pids;
}

class MicroVmTier : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(TestTier::micro_vm);
    release_ = read_line(images_dir() + "/micro_vm/kernel.release");
    // QEMU runs as the guest's uid and must pass through the test's directory.
    ::chmod(fs::path(config_path()).parent_path().c_str(), 0711);
  }

  ConfigOptions vm_options() const { return tier_options(TestTier::micro_vm); }

  void start_vms() {
    auto result = runner({"start", "--detach"}, 180s);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }

  std::string release_;
};

TEST_F(MicroVmTier, AskRunsTheModelsShellCommandInsideTheShellVm) {
  testlib::FakeLlmServer llm;
  llm.enqueue(
      testlib::openai_stream(calls_shell("uname -r; cat /proc/1/comm; env | grep -c sk-oxydra")));
  testlib::ScriptedTurn answer;
  answer.text = "The command ran in the VM.";
  llm.enqueue(testlib::openai_stream(answer));
  ConfigOptions options = vm_options();
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  start_vms();

  auto asked = runner({"ask", "Where do commands run?"}, 180s);
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_EQ(asked.out, "Looking.The command ran in the VM.\n");
  ASSERT_EQ(llm.request_count(), 2u);
  // The provider was reached from oxydra-vm's VM through the link and the egress proxy.
  EXPECT_EQ(llm.requests()[0].header("authorization"), std::string("Bearer ") + kSecret);
  const std::string result = llm.requests()[1].body;
  EXPECT_NE(result.find(release_), std::string::npos) << "not the guest's kernel: " << result;
  EXPECT_NE(result.find("oxydra-guest-in"), std::string::npos) << result;
  EXPECT_EQ(result.find(kSecret), std::string::npos) << "the key reached the shell";
}

TEST_F(MicroVmTier, ExecShowsTheGuestKernelNotTheHosts) {
  write_config(vm_options());
  start_vms();
  auto exec = runner({"exec", "--", "uname", "-r"}, 120s);
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  utsname host{};
  ::uname(&host);
  EXPECT_EQ(exec.out, release_ + "\n");
  EXPECT_NE(release_, host.release);
  auto ls = runner({"exec", "--", "ls", "/"}, 120s);
  EXPECT_NE(ls.out.find("\nshared\n"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("\nwork\n"), std::string::npos) << "the host's root is visible: " << ls.out;
  auto failing = runner({"exec", "--", "sh", "-c", "echo out; echo err >&2; exit 3"}, 120s);
  EXPECT_EQ(failing.exit_code, 3);
  EXPECT_EQ(failing.out, "out\n");
}

TEST_F(MicroVmTier, StatusReportsTheVmAndStopPowersBothOff) {
  write_config(vm_options());
  start_vms();
  auto health_json = health();
  ASSERT_FALSE(health_json.is_discarded());
  EXPECT_EQ(health_json["sandbox_tier"], "micro_vm") << health_json.dump(2);
  EXPECT_EQ(health_json["shell_available"], true);
  const auto& enforcement = health_json["startup_status"]["enforcement"];
  for (const char* role : {"sidecar", "runtime"}) {
    const auto& report = enforcement[role];
    ASSERT_TRUE(report.is_object()) << health_json.dump(2);
    const auto& vmm = report["vmm"];
    EXPECT_EQ(vmm["name"], "qemu") << report.dump(2);
    EXPECT_EQ(vmm["accel"], "tcg");
    EXPECT_NE(vmm.value("accel_reason", "").find("forced"), std::string::npos) << vmm.dump(2);
    EXPECT_EQ(vmm["guest_kernel"], release_);
    EXPECT_NE(vmm.value("version", "").find("QEMU emulator version"), std::string::npos);
    EXPECT_TRUE(vmm["vmm_rss_mib"].is_number()) << vmm.dump(2);
    EXPECT_EQ(report["rootfs_read_only"], true);
    EXPECT_EQ(report["no_new_privs"], true);
    EXPECT_EQ(report["capabilities"], nlohmann::json::array());
    EXPECT_TRUE(report["cgroup"]["memory"].is_number()) << report.dump(2);
  }
  EXPECT_EQ(enforcement["sidecar"]["network"], "none");
  EXPECT_EQ(enforcement["runtime"]["network"], "egress_proxy");
  EXPECT_EQ(vmm_pids().size(), 2u);

  auto stopped = runner({"stop"}, 60s);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(vmm_pids().empty());
  EXPECT_FALSE(fs::exists("/sys/fs/cgroup/pids/oxydra/oxydra-alice-shell-vm"));
  // Both guests were asked to stop and their programs exited: a clean power-off.
  std::string logs;
  for (const char* log : {"sidecar.stdout.log", "runtime.stdout.log"})
    logs += read_all(user_root() + "/logs/" + log);
  EXPECT_NE(logs.find("shell-daemon exited with status 0"), std::string::npos) << logs;
  EXPECT_NE(logs.find("oxydra-vm exited with status 0"), std::string::npos) << logs;
}

TEST_F(MicroVmTier, KillNineOfTheRunnerLeavesNoVmm) {
  write_config(vm_options());
  start_vms();
  auto health_json = health();
  ASSERT_FALSE(health_json.is_discarded());
  const pid_t runner_pid = health_json["runner_pid"].get<pid_t>();
  const auto vmms = vmm_pids();
  ASSERT_EQ(vmms.size(), 2u);
  ASSERT_EQ(::kill(runner_pid, SIGKILL), 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = true;
    for (pid_t pid : vmms)
      gone = gone && !process_alive(pid);
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone) << "a VMM outlived its runner";
  // The next start cleans what the dead runner left and comes up.
  start_vms();
  EXPECT_EQ(vmm_pids().size(), 2u);
}

TEST_F(MicroVmTier, ACrashedShellVmIsRestarted) {
  write_config(vm_options());
  start_vms();
  auto before = health();
  const pid_t sidecar = before["sidecar_pid"].get<pid_t>();
  ASSERT_EQ(::kill(sidecar, SIGKILL), 0);
  bool back = false;
  for (int i = 0; i < 600 && !back; ++i) {
    auto now = health();
    // The supervisor says so once the new VM's daemon answered hello.
    back = !now.is_discarded() &&
           now["guests"]["sidecar"].value("last_event", "").find("sidecar restarted") !=
               std::string::npos;
    if (!back) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(back) << health().dump(2);
  auto exec = runner({"exec", "--", "uname", "-r"}, 120s);
  EXPECT_EQ(exec.out, release_ + "\n") << exec.err;
}

TEST_F(MicroVmTier, ShellNetworkGoesOnlyThroughTheEgressProxy) {
  testlib::FakeLlmServer allowed;  // any listener on host loopback, named in egress_allow
  ConfigOptions options = vm_options();
  options.provider_url = allowed.base_url() + "/v1";
  options.policy_extra = "shell_network = true\n";
  write_config(options);
  start_vms();
  const std::string port = allowed.base_url().substr(allowed.base_url().rfind(':') + 1);
  // No network device at all: even the host's slirp address is unreachable.
  const std::string script = egress_probe_script("10.0.2.2");
  auto exec = runner({"exec", "--", "python3", "-c", script, port}, 120s);
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_NE(exec.out.find("proxy socks5h://localhost/egress/egress.sock"), std::string::npos)
      << exec.out;
  EXPECT_NE(exec.out.find("allowed 0"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("reply b'HTTP/1."), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("metadata 2"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("direct Network is unreachable"), std::string::npos) << exec.out;
}

}  // namespace
}  // namespace oxydra::runner_test
