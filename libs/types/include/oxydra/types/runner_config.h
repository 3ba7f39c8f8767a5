#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/types/error.h"
#include "oxydra/types/sandbox_tier.h"

namespace oxydra {

// The runner's global configuration (runner.toml). docs/configuration.md has
// every key; relative paths are resolved against runner.toml's directory at
// load time, so every path here is final. Integers are validated ranges.

enum class ContainerDriverKind { oci, docker };
enum class MicroVmm { qemu, firecracker };
enum class VmAccel { automatic, kvm, tcg };  // "auto", "kvm", "tcg"

std::string_view to_string(ContainerDriverKind driver);
std::string_view to_string(MicroVmm vmm);
std::string_view to_string(VmAccel accel);

// [users.<id>]
struct UserEntry {
  std::filesystem::path config_path;  // required: the user's TOML config
  // Added to the policy's lists for this user only (docs/security.md).
  std::vector<std::filesystem::path> mount_roots;
  std::vector<std::string> credential_envs;

  bool operator==(const UserEntry&) const = default;
};

// [policy]: the most any user may have; a user config can only ask for less.
struct RunnerPolicy {
  bool shell_enabled = true;           // users may have the shell tool
  bool browser_enabled = false;        // users may have the browser tool
  bool shell_network = false;          // shell-vm may get network egress
  std::int64_t max_vcpus = 4;          // ceiling for a user's resources.max_vcpus
  std::int64_t max_memory_mib = 4096;  // ceiling for a user's resources.max_memory_mib
  std::int64_t max_processes = 1024;   // ceiling for a user's resources.max_processes
  std::int64_t max_disk_mib = 4096;    // ceiling for a user's resources.max_disk_mib
  // What a user config may point the (root) runner at; docs/security.md.
  std::vector<std::filesystem::path> mount_roots;  // mount overrides only inside these
  std::vector<std::string> credential_envs;        // env: refs may name only these
  std::filesystem::path secrets_dir;  // file: refs only under <secrets_dir>/<user>/; "" = none
  // Host-local "ip:port" destinations the egress proxy lets guests reach (a
  // local provider); everything on the host itself is refused otherwise.
  std::vector<std::string> egress_allow;
  std::string operator_group;  // members may use the control socket besides root; "" = root only
  // [policy.credential_hosts] "env:NAME" = ["api.openai.com"]: the provider
  // hosts a credential may be sent to; a ref not listed is not bound.
  std::map<std::string, std::vector<std::string>> credential_hosts;

  bool operator==(const RunnerPolicy&) const = default;
};

// [container]
struct ContainerTierConfig {
  ContainerDriverKind driver = ContainerDriverKind::oci;  // "oci" (daemonless) or "docker"
  std::string oci_runtime = "runc";                       // a name looked up in PATH, or a path
  std::filesystem::path shell_vm_rootfs;                  // default <images_dir>/container/shell-vm
  std::filesystem::path oxydra_vm_rootfs;  // default <images_dir>/container/oxydra-vm
  std::string shell_vm_image;              // docker image; "" = oxydra-shell-vm:<project version>
  std::string oxydra_vm_image;             // docker image; "" = oxydra-vm:<project version>
  std::string docker_host;  // "unix://PATH"; "" = $DOCKER_HOST, else the default socket

  bool operator==(const ContainerTierConfig&) const = default;
};

// [micro_vm]
struct MicroVmTierConfig {
  MicroVmm vmm = MicroVmm::qemu;            // "qemu" or "firecracker"
  std::string qemu = "qemu-system-x86_64";  // a name looked up in PATH, or a path
  std::string firecracker = "firecracker";  // a name looked up in PATH, or a path
  VmAccel accel = VmAccel::automatic;       // auto: kvm when it boots a guest, else tcg
  std::filesystem::path kernel;             // default <images_dir>/micro_vm/vmlinux
  std::filesystem::path initramfs;          // default <images_dir>/micro_vm/initramfs.cpio.gz
  std::filesystem::path shell_vm_rootfs;    // default <images_dir>/micro_vm/shell-vm.img
  std::filesystem::path oxydra_vm_rootfs;   // default <images_dir>/micro_vm/oxydra-vm.img
  std::string kernel_args;                  // appended to the kernel command line
  std::int64_t boot_timeout_secs = 60;      // until the guest's service answers

  bool operator==(const MicroVmTierConfig&) const = default;
};

// [process] (used only with --insecure)
struct ProcessTierConfig {
  std::optional<std::filesystem::path> oxydra_vm;  // absent: oxydra-vm next to oxydra-runner
  bool require_hardening = false;  // refuse to start unless Landlock and seccomp fully apply

  bool operator==(const ProcessTierConfig&) const = default;
};

// [supervision]
struct SupervisionConfig {
  std::int64_t restart_max = 3;                 // restarts of a failed guest; 0 = never
  std::int64_t restart_backoff_ms = 1000;       // first delay, doubled per restart
  std::int64_t restart_backoff_max_ms = 30000;  // cap on the delay
  std::int64_t restart_reset_secs = 300;        // uptime after which the count starts over
  std::int64_t startup_timeout_secs = 30;       // wait for each guest to answer hello
  std::int64_t stop_timeout_secs = 10;          // grace between TERM and KILL

  bool operator==(const SupervisionConfig&) const = default;
};

// [logs]
struct LogConfig {
  std::int64_t max_bytes = std::int64_t{10} * 1024 * 1024;  // a guest log file rotates at this size
  std::int64_t max_files = 5;                               // rotated files kept per log

  bool operator==(const LogConfig&) const = default;
};

struct RunnerConfig {
  std::string source;                    // the file it came from, for messages (not a key)
  std::filesystem::path workspace_root;  // default "workspace" beside runner.toml
  std::filesystem::path images_dir;      // default <workspace_root>/.images
  SandboxTier default_tier = SandboxTier::container;  // micro_vm or container
  std::map<std::string, UserEntry> users;             // at least one; keys are user ids
  RunnerPolicy policy;
  ContainerTierConfig container;
  MicroVmTierConfig micro_vm;
  ProcessTierConfig process;
  SupervisionConfig supervision;
  LogConfig logs;

  bool operator==(const RunnerConfig&) const = default;
};

// Reads and validates runner.toml. Errors (code "invalid_config") read
// "<path>: <key>: <reason>", e.g. "runner.toml: users.alice.config_path: must not be empty".
Result<RunnerConfig> load_runner_config(const std::filesystem::path& path);

// The same from text: `source_name` prefixes messages, `base_dir` anchors relative paths.
Result<RunnerConfig> parse_runner_config(std::string_view text, std::string_view source_name,
                                         const std::filesystem::path& base_dir);

}  // namespace oxydra
