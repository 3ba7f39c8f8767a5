#include "oxydra/types/runner_config.h"

#include <gtest/gtest.h>

#include <string>

namespace oxydra {
namespace {

const std::filesystem::path kRunnerBase = "/etc/oxydra";

constexpr const char* kMinimalRunner = R"(
[users.alice]
config_path = "users/alice.toml"
)";

Result<RunnerConfig> parse_runner(const std::string& text) {
  return parse_runner_config(text, "runner.toml", kRunnerBase);
}

void expect_runner_error(const std::string& text, const std::string& message) {
  auto config = parse_runner(text);
  ASSERT_FALSE(config) << "accepted:\n" << text;
  EXPECT_EQ(config.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(config.error().message, message);
}

TEST(RunnerConfig, MinimalConfigTakesDocumentedDefaults) {
  auto config = parse_runner(kMinimalRunner);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->source, "runner.toml");
  EXPECT_EQ(config->workspace_root, "/etc/oxydra/workspace");
  EXPECT_EQ(config->images_dir, "/etc/oxydra/workspace/.images");
  EXPECT_EQ(config->default_tier, SandboxTier::container);
  ASSERT_EQ(config->users.size(), 1u);
  EXPECT_EQ(config->users.at("alice").config_path, "/etc/oxydra/users/alice.toml");
  EXPECT_EQ(config->policy, RunnerPolicy{});
  EXPECT_EQ(config->container.driver, ContainerDriverKind::oci);
  EXPECT_EQ(config->container.oci_runtime, "runc");
  EXPECT_EQ(config->container.shell_vm_rootfs, "/etc/oxydra/workspace/.images/container/shell-vm");
  EXPECT_EQ(config->container.oxydra_vm_rootfs,
            "/etc/oxydra/workspace/.images/container/oxydra-vm");
  EXPECT_EQ(config->micro_vm.kernel, "/etc/oxydra/workspace/.images/micro_vm/vmlinux");
  EXPECT_EQ(config->micro_vm.accel, VmAccel::automatic);
  EXPECT_FALSE(config->process.oxydra_vm.has_value());
  EXPECT_EQ(config->supervision, SupervisionConfig{});
  EXPECT_EQ(config->logs, LogConfig{});
}

TEST(RunnerConfig, ReadsEverySection) {
  auto config = parse_runner(R"(
workspace_root = "/srv/oxydra"
images_dir = "images"
default_tier = "micro_vm"
[users.alice]
config_path = "/etc/alice.toml"
[users."bob.smith"]
config_path = "users/../bob.toml"
mount_roots = ["/srv/bob"]
credential_envs = ["BOB_KEY"]
[policy]
shell_enabled = false
browser_enabled = true
shell_network = true
max_vcpus = 8
max_memory_mib = 8192
max_processes = 2048
max_disk_mib = 512
mount_roots = ["/data/oxydra", "team"]
credential_envs = ["OPENAI_API_KEY"]
secrets_dir = "/etc/oxydra/secrets"
egress_allow = ["127.0.0.1:11434", "[::1]:8000"]
operator_group = "oxydra"
[policy.credential_hosts]
"env:OPENAI_API_KEY" = ["API.openai.com"]
[container]
driver = "docker"
oci_runtime = "./bin/crun"
shell_vm_rootfs = "/rootfs/shell"
shell_vm_image = "shell:1"
oxydra_vm_image = "agent:1"
docker_host = "unix:///run/oxydra/docker.sock"
[micro_vm]
vmm = "firecracker"
qemu = "/usr/bin/qemu-system-x86_64"
firecracker = "fc"
accel = "tcg"
kernel = "vmlinux"
kernel_args = "quiet"
boot_timeout_secs = 90
[process]
oxydra_vm = "bin/oxydra-vm"
require_hardening = true
[supervision]
restart_max = 0
restart_backoff_ms = 10
restart_backoff_max_ms = 10
restart_reset_secs = 5
startup_timeout_secs = 7
stop_timeout_secs = 2
[logs]
max_bytes = 65536
max_files = 2
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->workspace_root, "/srv/oxydra");
  EXPECT_EQ(config->images_dir, "/etc/oxydra/images");
  EXPECT_EQ(config->default_tier, SandboxTier::micro_vm);
  EXPECT_EQ(config->users.at("bob.smith").config_path, "/etc/oxydra/bob.toml");
  EXPECT_EQ(config->users.at("bob.smith").mount_roots,
            std::vector<std::filesystem::path>{"/srv/bob"});
  EXPECT_EQ(config->users.at("bob.smith").credential_envs, std::vector<std::string>{"BOB_KEY"});
  const RunnerPolicy expected{false,
                              true,
                              true,
                              8,
                              8192,
                              2048,
                              512,
                              {"/data/oxydra", "/etc/oxydra/team"},
                              {"OPENAI_API_KEY"},
                              "/etc/oxydra/secrets",
                              {"127.0.0.1:11434", "[::1]:8000"},
                              "oxydra",
                              {{"env:OPENAI_API_KEY", {"api.openai.com"}}}};
  EXPECT_EQ(config->policy, expected);
  EXPECT_EQ(config->container.driver, ContainerDriverKind::docker);
  EXPECT_EQ(config->container.oci_runtime, "/etc/oxydra/bin/crun");
  EXPECT_EQ(config->container.shell_vm_rootfs, "/rootfs/shell");
  EXPECT_EQ(config->container.oxydra_vm_rootfs, "/etc/oxydra/images/container/oxydra-vm");
  EXPECT_EQ(config->container.docker_host, "unix:///run/oxydra/docker.sock");
  EXPECT_EQ(config->micro_vm.vmm, MicroVmm::firecracker);
  EXPECT_EQ(config->micro_vm.firecracker, "fc");
  EXPECT_EQ(config->micro_vm.accel, VmAccel::tcg);
  EXPECT_EQ(config->micro_vm.kernel, "/etc/oxydra/vmlinux");
  EXPECT_EQ(config->micro_vm.initramfs, "/etc/oxydra/images/micro_vm/initramfs.cpio.gz");
  EXPECT_EQ(config->micro_vm.boot_timeout_secs, 90);
  EXPECT_EQ(config->process.oxydra_vm, std::filesystem::path("/etc/oxydra/bin/oxydra-vm"));
  EXPECT_TRUE(config->process.require_hardening);
  EXPECT_EQ(config->supervision, (SupervisionConfig{0, 10, 10, 5, 7, 2}));
  EXPECT_EQ(config->logs, (LogConfig{65536, 2}));
}

TEST(RunnerConfig, ErrorNamesFileKeyAndReason) {
  expect_runner_error("[users.alice]\nconfig_path = \"\"\n",
                      "runner.toml: users.alice.config_path: must not be empty");
}

TEST(RunnerConfig, RelativePathsResolveAgainstTheConfigDirectory) {
  auto config = parse_runner_config(
      "workspace_root = \"../work/\"\n[users.a]\nconfig_path = \"./u/a.toml\"\n", "runner.toml",
      "/opt/oxy/conf");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->workspace_root, "/opt/oxy/work");
  EXPECT_EQ(config->users.at("a").config_path, "/opt/oxy/conf/u/a.toml");
}

TEST(RunnerConfig, TrustBoundaryKeysAreValidated) {
  const std::string users = "[users.alice]\nconfig_path = \"a.toml\"\n";
  expect_runner_error(users + "[policy]\negress_allow = [\"localhost:11434\"]\n",
                      "runner.toml: policy.egress_allow: \"localhost:11434\" must be IP:PORT or "
                      "[IPv6]:PORT");
  expect_runner_error(
      users + "[policy]\negress_allow = [\"127.0.0.1:0\"]\n",
      "runner.toml: policy.egress_allow: \"127.0.0.1:0\" must be IP:PORT or [IPv6]:PORT");
  expect_runner_error(
      users + "[policy]\ncredential_envs = [\"A-B\"]\n",
      "runner.toml: policy.credential_envs: \"A-B\" is not an environment variable name");
  expect_runner_error(users + "[policy]\nmount_roots = \"/data\"\n",
                      "runner.toml: policy.mount_roots: must be an array of strings");
  expect_runner_error(
      users + "[policy]\nmount_roots = [\"~/x\"]\n",
      "runner.toml: policy.mount_roots: \"~/x\": must be a non-empty path without \"~\" "
      "or NUL");
}

TEST(RunnerConfig, SyntaxErrorsNameFileAndLine) {
  auto config = parse_runner("[users.alice\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(config.error().message.rfind("runner.toml: line 1, column ", 0), 0u)
      << config.error().message;
}

TEST(RunnerConfig, RejectsUnknownKeysEverywhere) {
  expect_runner_error(
      "workspace = \"x\"\n" + std::string(kMinimalRunner),
      "runner.toml: workspace: unknown key (expected one of: workspace_root, images_dir, "
      "default_tier, users, policy, container, micro_vm, process, supervision, logs)");
  expect_runner_error(
      std::string(kMinimalRunner) + "[container]\ndrivr = \"oci\"\n",
      "runner.toml: container.drivr: unknown key (expected one of: driver, oci_runtime, "
      "shell_vm_rootfs, oxydra_vm_rootfs, shell_vm_image, oxydra_vm_image, docker_host)");
  expect_runner_error("[users.alice]\nconfig_path = \"a.toml\"\nconfig = \"b\"\n",
                      "runner.toml: users.alice.config: unknown key (expected one of: config_path, "
                      "mount_roots, credential_envs)");
  for (const char* section : {"policy", "micro_vm", "process", "supervision", "logs"}) {
    auto config = parse_runner(std::string(kMinimalRunner) + "[" + section + "]\ntypo = 1\n");
    ASSERT_FALSE(config) << section;
    EXPECT_EQ(config.error().message.rfind(
                  std::string("runner.toml: ") + section + ".typo: unknown key", 0),
              0u);
  }
}

TEST(RunnerConfig, AnEmptyUsersTableIsAHostWithNobodyYet) {
  auto config = parse_runner("[users]\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->users.empty());
}

TEST(RunnerConfig, UsersAreRequiredAndValidated) {
  expect_runner_error("default_tier = \"container\"\n", "runner.toml: users: is required");
  expect_runner_error("users = 3\n", "runner.toml: users: must be a table");
  expect_runner_error("[users]\nalice = \"a.toml\"\n", "runner.toml: users.alice: must be a table");
  expect_runner_error("[users.alice]\n", "runner.toml: users.alice.config_path: is required");
  expect_runner_error(
      "[users.\"al ice\"]\nconfig_path = \"a.toml\"\n",
      "runner.toml: users.\"al ice\": user id contains ' ' (allowed: A-Z a-z 0-9 . _ -)");
  expect_runner_error("[users.\"..\"]\nconfig_path = \"a.toml\"\n",
                      "runner.toml: users.\"..\": user id must not start with '.'");
  expect_runner_error("[users.alice]\nconfig_path = 5\n",
                      "runner.toml: users.alice.config_path: must be a string");
  expect_runner_error(
      "[users.alice]\nconfig_path = \"~/alice.toml\"\n",
      "runner.toml: users.alice.config_path: \"~\" is not expanded; use an absolute path "
      "or one relative to this file");
}

TEST(RunnerConfig, DefaultTierIsMicroVmOrContainer) {
  EXPECT_TRUE(parse_runner(std::string("default_tier = \"micro_vm\"\n") + kMinimalRunner));
  expect_runner_error(std::string("default_tier = \"process\"\n") + kMinimalRunner,
                      "runner.toml: default_tier: \"process\" is only chosen with --insecure (use "
                      "micro_vm or container)");
  expect_runner_error(std::string("default_tier = \"vm\"\n") + kMinimalRunner,
                      "runner.toml: default_tier: unknown sandbox tier \"vm\" (expected micro_vm, "
                      "container or process)");
}

TEST(RunnerConfig, EnumsListTheirChoices) {
  expect_runner_error(
      std::string(kMinimalRunner) + "[container]\ndriver = \"podman\"\n",
      "runner.toml: container.driver: must be one of \"oci\", \"docker\" (got \"podman\")");
  expect_runner_error(
      std::string(kMinimalRunner) + "[micro_vm]\naccel = \"hvf\"\n",
      "runner.toml: micro_vm.accel: must be one of \"auto\", \"kvm\", \"tcg\" (got \"hvf\")");
  expect_runner_error(
      std::string(kMinimalRunner) + "[micro_vm]\nvmm = \"ch\"\n",
      "runner.toml: micro_vm.vmm: must be one of \"qemu\", \"firecracker\" (got \"ch\")");
  EXPECT_TRUE(parse_runner(std::string(kMinimalRunner) + "[micro_vm]\naccel = \"kvm\"\n"));
}

TEST(RunnerConfig, LimitsMustBeInRange) {
  expect_runner_error(std::string(kMinimalRunner) + "[policy]\nmax_vcpus = 0\n",
                      "runner.toml: policy.max_vcpus: must be between 1 and 1024 (got 0)");
  expect_runner_error(std::string(kMinimalRunner) + "[policy]\nmax_processes = -1\n",
                      "runner.toml: policy.max_processes: must be at least 1 (got -1)");
  expect_runner_error(std::string(kMinimalRunner) + "[policy]\nmax_memory_mib = 8\n",
                      "runner.toml: policy.max_memory_mib: must be at least 16 (got 8)");
  expect_runner_error(std::string(kMinimalRunner) + "[policy]\nmax_vcpus = \"2\"\n",
                      "runner.toml: policy.max_vcpus: must be an integer");
  expect_runner_error(std::string(kMinimalRunner) + "[policy]\nshell_enabled = \"yes\"\n",
                      "runner.toml: policy.shell_enabled: must be a boolean (true or false)");
  expect_runner_error(std::string(kMinimalRunner) + "[supervision]\nrestart_max = -1\n",
                      "runner.toml: supervision.restart_max: must be between 0 and 1000 (got -1)");
  expect_runner_error(std::string(kMinimalRunner) + "[supervision]\nstartup_timeout_secs = 0\n",
                      "runner.toml: supervision.startup_timeout_secs: must be at least 1 (got 0)");
  expect_runner_error(std::string(kMinimalRunner) +
                          "[supervision]\nrestart_backoff_ms = 500\n"
                          "restart_backoff_max_ms = 100\n",
                      "runner.toml: supervision.restart_backoff_max_ms: must not be less than "
                      "restart_backoff_ms");
  expect_runner_error(std::string(kMinimalRunner) + "[logs]\nmax_bytes = 100\n",
                      "runner.toml: logs.max_bytes: must be at least 4096 (got 100)");
  expect_runner_error(std::string(kMinimalRunner) + "[logs]\nmax_files = 0\n",
                      "runner.toml: logs.max_files: must be between 1 and 1000 (got 0)");
  expect_runner_error(std::string(kMinimalRunner) + "[micro_vm]\nboot_timeout_secs = 0\n",
                      "runner.toml: micro_vm.boot_timeout_secs: must be at least 1 (got 0)");
  EXPECT_TRUE(parse_runner(std::string(kMinimalRunner) + "[supervision]\nrestart_max = 0\n"));
}

TEST(RunnerConfig, ProgramsArePathNameOrRefused) {
  auto config = parse_runner(std::string(kMinimalRunner) + "[container]\noci_runtime = \"crun\"\n");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->container.oci_runtime, "crun");
  expect_runner_error(std::string(kMinimalRunner) + "[container]\noci_runtime = \"\"\n",
                      "runner.toml: container.oci_runtime: must not be empty");
}

TEST(RunnerConfig, DockerHostMustBeAUnixSocket) {
  EXPECT_TRUE(parse_runner(std::string(kMinimalRunner) +
                           "[container]\ndocker_host = \"unix:///d.sock\"\n"));
  for (const char* bad : {"tcp://127.0.0.1:2375", "unix://", "/var/run/docker.sock"}) {
    expect_runner_error(
        std::string(kMinimalRunner) + "[container]\ndocker_host = \"" + bad + "\"\n",
        "runner.toml: container.docker_host: must be unix://PATH (only Unix sockets are "
        "supported)");
  }
}

TEST(RunnerConfig, WorkspaceRootMustLeaveRoomForSocketPaths) {
  const std::string long_root(80, 'w');
  auto config = parse_runner("workspace_root = \"/" + long_root + "\"\n" + kMinimalRunner);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind("runner.toml: workspace_root: \"/" + long_root +
                                             "\" is too long: Unix socket paths under",
                                         0),
            0u)
      << config.error().message;
  EXPECT_TRUE(
      parse_runner("workspace_root = \"/" + std::string(40, 'w') + "\"\n" + kMinimalRunner));
  expect_runner_error(std::string("workspace_root = \"/\"\n") + kMinimalRunner,
                      "runner.toml: workspace_root: must not be the file system root");
}

TEST(RunnerConfig, LoadReportsAnUnreadableFileByPath) {
  auto config = load_runner_config("/nonexistent/oxydra/runner.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::io);
  EXPECT_EQ(config.error().message,
            "cannot read /nonexistent/oxydra/runner.toml: No such file or directory");
}

}  // namespace
}  // namespace oxydra
