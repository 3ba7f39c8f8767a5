// The container tier with the oci driver, end to end with the real binaries,
// runc and the guest images from scripts/build-guest-rootfs: the model's
// shell_exec runs inside shell-vm, exec shows the guest's view, status reports
// what the kernel says is in force, and stop removes both containers. The
// same through the docker driver when DOCKER_HOST names a daemon holding the
// imported images (scripts/docker-conformance).

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/proc_scan.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

class ContainerTier : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(TestTier::oci);
  }

  ConfigOptions container_options() const { return tier_options(TestTier::oci); }

  void start_container() {
    auto result = runner({"start", "--detach"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }

  // runc's record of the guest: {"status": "running", "pid": <init>, ...}.
  nlohmann::json container_state(const std::string& role) {
    auto state = run_command(
        {"/usr/sbin/runc", "--root", "/run/oxydra/runc", "state", "oxydra-alice-" + role}, {}, 30s);
    if (state.exit_code != 0) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(state.out, nullptr, false);
  }
  bool container_exists(const std::string& role) { return !container_state(role).is_discarded(); }
  bool container_running(const std::string& role) {
    auto state = container_state(role);
    return !state.is_discarded() && state.value("status", "") == "running";
  }
};

TEST_F(ContainerTier, AskRunsTheModelsShellCommandInsideShellVm) {
  testlib::FakeLlmServer llm;
  llm.enqueue(testlib::openai_stream(
      calls_shell("id -u; hostname; tr '\\0' ' ' </proc/1/cmdline; env | grep -c sk-oxydra")));
  testlib::ScriptedTurn answer;
  answer.text = "The command ran in the guest.";
  llm.enqueue(testlib::openai_stream(answer));
  ConfigOptions options = container_options();
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  start_container();

  auto asked = runner({"ask", "Where do commands run?"});
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_EQ(asked.out, "Looking.The command ran in the guest.\n");
  ASSERT_EQ(llm.request_count(), 2u);
  EXPECT_EQ(llm.requests()[0].header("authorization"), std::string("Bearer ") + kSecret);
  // The tool result the model got back is the guest's view of itself.
  const std::string result = llm.requests()[1].body;
  EXPECT_NE(result.find("1000"), std::string::npos) << result;
  EXPECT_NE(result.find("oxydra-alice-shell-vm"), std::string::npos) << result;
  EXPECT_NE(result.find("oxydra-guest-init"), std::string::npos) << result;
  EXPECT_EQ(result.find(kSecret), std::string::npos) << "the key reached the shell";
}

TEST_F(ContainerTier, ExecShowsTheGuestsViewNotTheHosts) {
  write_config(container_options());
  start_container();
  auto exec = runner({"exec", "--", "sh", "-c", "id; tr '\\0' ' ' </proc/1/cmdline; echo; ls /"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_NE(exec.out.find("uid=1000(oxydra)"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("/opt/oxydra/bin/oxydra-guest-init --lifeline-fd 3 -- "
                          "/opt/oxydra/bin/shell-daemon"),
            std::string::npos)
      << exec.out;
  EXPECT_NE(exec.out.find("\nshared\n"), std::string::npos) << exec.out;
  // The host's root has /work (this checkout); the guest's must not.
  EXPECT_EQ(exec.out.find("\nwork\n"), std::string::npos) << exec.out;

  auto failing = runner({"exec", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(failing.exit_code, 3);
  EXPECT_EQ(failing.out, "out\n");
  EXPECT_NE(failing.err.find("err\n"), std::string::npos);
}

// With shell_network the shell still has no network of its own: its way out is
// the runner's egress proxy, which lets the operator-allowed service through
// and refuses the host's metadata address.
TEST_F(ContainerTier, ShellNetworkGoesOnlyThroughTheEgressProxy) {
  testlib::FakeLlmServer allowed;  // any listener on host loopback, named in egress_allow
  ConfigOptions options = container_options();
  options.provider_url = allowed.base_url() + "/v1";
  options.policy_extra = "shell_network = true\n";
  write_config(options);
  start_container();
  const std::string port = allowed.base_url().substr(allowed.base_url().rfind(':') + 1);
  const std::string script = egress_probe_script("127.0.0.1");
  auto exec = runner({"exec", "--", "python3", "-c", script, port});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_NE(exec.out.find("proxy socks5h://localhost/egress/egress.sock"), std::string::npos)
      << exec.out;
  EXPECT_NE(exec.out.find("allowed 0"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("reply b'HTTP/1."), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("metadata 2"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("direct Connection refused"), std::string::npos) << exec.out;
}

TEST_F(ContainerTier, StatusReportsMeasuredIsolationAndStopRemovesBothGuests) {
  write_config(container_options());
  start_container();
  auto health_json = health();
  ASSERT_FALSE(health_json.is_discarded());
  EXPECT_EQ(health_json["sandbox_tier"], "container") << health_json.dump(2);
  const auto& startup = health_json["startup_status"];
  EXPECT_TRUE(startup["degraded_reasons"].empty()) << health_json.dump(2);
  EXPECT_EQ(health_json["shell_available"], true);
  const auto& sidecar = startup["enforcement"]["sidecar"];
  ASSERT_TRUE(sidecar.is_object()) << health_json.dump(2);
  for (const char* ns : {"user", "mount", "pid", "net", "ipc", "uts"})
    EXPECT_EQ(sidecar["namespaces"][ns], true) << ns;
  EXPECT_EQ(sidecar["rootfs_read_only"], true);
  EXPECT_EQ(sidecar["no_new_privs"], true);
  EXPECT_EQ(sidecar["capabilities"], nlohmann::json::array());
  EXPECT_EQ(sidecar["seccomp"]["mode"], "filter");
  EXPECT_EQ(sidecar["seccomp"]["policy"], "oxydra-container-v2");
  EXPECT_EQ(sidecar["network"], "loopback");
  EXPECT_TRUE(sidecar["cgroup"]["memory"].is_number()) << sidecar.dump(2);
  EXPECT_TRUE(sidecar["cgroup"]["pids"].is_number()) << sidecar.dump(2);
  const auto& runtime = startup["enforcement"]["runtime"];
  EXPECT_EQ(runtime["network"], "egress_proxy");
  EXPECT_EQ(runtime["seccomp"]["policy"], "oxydra-runtime-v1") << runtime.dump(2);
  EXPECT_EQ(runtime["namespaces"]["pid"], true);
  EXPECT_TRUE(container_exists("shell-vm"));
  EXPECT_TRUE(container_exists("oxydra-vm"));

  auto stopped = runner({"stop"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_FALSE(container_exists("shell-vm"));
  EXPECT_FALSE(container_exists("oxydra-vm"));
}

TEST_F(ContainerTier, KillNineOfTheRunnerStopsBothGuests) {
  write_config(container_options());
  start_container();
  auto health_json = health();
  ASSERT_FALSE(health_json.is_discarded());
  const pid_t runner_pid = health_json["runner_pid"].get<pid_t>();
  const pid_t shell_init = container_state("shell-vm").value("pid", 0);
  const pid_t vm_init = container_state("oxydra-vm").value("pid", 0);
  ASSERT_GT(shell_init, 0);
  ASSERT_GT(vm_init, 0);
  ASSERT_EQ(::kill(runner_pid, SIGKILL), 0);
  // The guests' init reads end of file on its lifeline and kills the guest.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !process_alive(shell_init) && !process_alive(vm_init) &&
           !container_running("shell-vm") && !container_running("oxydra-vm");
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone) << "a guest outlived its runner";
  // The next start removes what the dead runner left.
  start_container();
  EXPECT_TRUE(container_exists("shell-vm"));
}

// runc runs detached: once a guest runs, no runtime process stays behind it.
// Its init is the runner's own child, whose exit status the runner reads.
TEST_F(ContainerTier, NoRuntimeProcessStaysBehindAGuestAndItsExitReachesTheRunner) {
  write_config(container_options());
  start_container();
  auto before = health();
  ASSERT_FALSE(before.is_discarded());
  const pid_t runner_pid = before["runner_pid"].get<pid_t>();
  for (const char* role : {"shell-vm", "oxydra-vm"}) {
    const pid_t init = container_state(role).value("pid", 0);
    ASSERT_GT(init, 0) << role;
    auto info = testlib::read_proc(init);
    ASSERT_TRUE(info) << role;
    EXPECT_EQ(info->ppid, runner_pid) << role << "'s init is not the runner's child";
  }
  std::vector<std::string> runtimes;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto info = testlib::read_proc(std::stoi(name));
    if (info && info->ppid == runner_pid && (info->comm == "runc" || info->comm == "crun"))
      runtimes.push_back(name);
  }
  EXPECT_TRUE(runtimes.empty()) << "runtime processes left under the runner: " << runtimes.size();

  const pid_t shell_init = container_state("shell-vm").value("pid", 0);
  ASSERT_EQ(::kill(shell_init, SIGKILL), 0);
  auto after = wait_health([](const nlohmann::json& h) {
    return h["healthy"] == true && h["guests"]["sidecar"]["restarts"] == 1;
  });
  EXPECT_EQ(after["guests"]["sidecar"]["last_exit"], "killed by signal 9") << after.dump(2);
  EXPECT_TRUE(container_running("shell-vm"));
}

// The docker driver: the daemon at $DOCKER_HOST with the images from
// scripts/import-guest-images.
class DockerContainerTier : public ContainerTier {
 protected:
  void SetUp() override {
    // Not ContainerTier::SetUp: that one checks the oci driver's needs.
    RunnerFixture::SetUp();  // NOLINT(bugprone-parent-virtual-call)
    OXYDRA_SKIP_UNLESS_TIER(TestTier::docker);
  }

  void TearDown() override {
    RunnerFixture::TearDown();
    remove_docker_guests("alice");
  }

  ConfigOptions docker_options() const { return tier_options(TestTier::docker); }

  CommandResult docker(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, 60s);
  }
  bool docker_exists(const std::string& role) {
    return docker({"inspect", "oxydra-alice-" + role}).exit_code == 0;
  }
};

TEST_F(DockerContainerTier, AskAndExecRunInsideShellVm) {
  testlib::FakeLlmServer llm;
  llm.enqueue(
      testlib::openai_stream(calls_shell("id -u; hostname; tr '\\0' ' ' </proc/1/cmdline")));
  testlib::ScriptedTurn answer;
  answer.text = "The command ran in the guest.";
  llm.enqueue(testlib::openai_stream(answer));
  ConfigOptions options = docker_options();
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  start_container();
  EXPECT_TRUE(docker_exists("shell-vm"));
  EXPECT_TRUE(docker_exists("oxydra-vm"));

  auto asked = runner({"ask", "Where do commands run?"});
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_EQ(asked.out, "Looking.The command ran in the guest.\n");
  ASSERT_EQ(llm.request_count(), 2u);
  const std::string result = llm.requests()[1].body;
  EXPECT_NE(result.find("1000"), std::string::npos) << result;
  EXPECT_NE(result.find("oxydra-alice-shell-vm"), std::string::npos) << result;
  EXPECT_NE(result.find("oxydra-guest-init"), std::string::npos) << result;
  EXPECT_EQ(result.find(kSecret), std::string::npos) << "the key reached the shell";

  auto exec = runner({"exec", "--", "sh", "-c", "id; tr '\\0' ' ' </proc/1/cmdline; echo; ls /"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_NE(exec.out.find("uid=1000(oxydra)"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find("/opt/oxydra/bin/oxydra-guest-init -- /opt/oxydra/bin/shell-daemon"),
            std::string::npos)
      << exec.out;
  EXPECT_EQ(exec.out.find("\nwork\n"), std::string::npos) << exec.out;

  auto stopped = runner({"stop"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_FALSE(docker_exists("shell-vm"));
  EXPECT_FALSE(docker_exists("oxydra-vm"));
}

TEST_F(DockerContainerTier, KillNineOfTheRunnerRemovesBothGuests) {
  write_config(docker_options());
  start_container();
  auto health_json = health();
  ASSERT_FALSE(health_json.is_discarded());
  const pid_t runner_pid = health_json["runner_pid"].get<pid_t>();
  ASSERT_TRUE(docker_exists("shell-vm"));
  ASSERT_EQ(::kill(runner_pid, SIGKILL), 0);
  // The runner's watchdog sees the runner gone and removes its containers.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !docker_exists("shell-vm") && !docker_exists("oxydra-vm");
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone) << "a docker guest outlived its runner";
  start_container();
  EXPECT_TRUE(docker_exists("shell-vm"));
}

}  // namespace
}  // namespace oxydra::runner_test
