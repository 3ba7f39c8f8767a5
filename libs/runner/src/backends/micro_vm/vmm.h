#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "backends/micro_vm/accel_probe.h"
#include "backends/micro_vm/qemu_command.h"
#include "oxydra/runner/backend.h"
#include "oxydra/sandbox/endpoint.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/runner_config.h"

namespace oxydra::runner {

// One guest VM as the backend wants it, whatever the VMM.
struct VmSpec {
  GuestRole role = GuestRole::runtime;
  std::string name;                 // oxydra-<user>-<role>
  std::filesystem::path run_dir;    // the VMM's own (its uid's) sockets
  std::filesystem::path root_disk;  // read-only
  std::string accel = "tcg";
  uid_t uid = 0;  // the VMM's host uid, and the guest's user inside
  int vcpus = 1;
  std::int64_t memory_mib = 256;
  std::int64_t max_processes = 256;
  std::string kernel_args;  // the backend's oxydra.* arguments
  std::vector<QemuShare> shares;
  bool bootstrap_port = false;  // oxydra-vm: a port for the envelope
  std::vector<std::string> cgroup_procs;
};

struct StartedVm {
  pid_t pid = -1;             // the VMM, a child of the runner that dies with it
  sys::UniqueFd stdout_read;  // the guest's console
  sys::UniqueFd stderr_read;  // the VMM's own messages
  // Where the host reaches the guest's link and (oxydra-vm) its envelope
  // port: QEMU's chardev sockets, or Firecracker's vsock socket and a port.
  sandbox::ParsedEndpoint link;
  std::optional<sandbox::ParsedEndpoint> bootstrap;
};

// Preloaded into every VMM to make it not dumpable (apps/oxydra-runner/vmm_nodump.cc).
inline constexpr const char* kNoDumpLibrary = "oxydra-vmm-nodump.so";

// Guest ports of the VM link and the envelope where the transport numbers
// them (vsock: Firecracker).
inline constexpr std::uint32_t kLinkVsockPort = 1024;
inline constexpr std::uint32_t kBootstrapVsockPort = 1025;

// One way of running a microVM: QEMU (qemu_vmm.h) or Firecracker
// (firecracker_vmm.h). The backend around it (micro_vm_backend.cc) is the
// same: images, cgroup, link, envelope, report.
class Vmm {
 public:
  virtual ~Vmm() = default;

  virtual std::string name() const = 0;  // "qemu", "firecracker"
  virtual const std::string& version() const = 0;
  virtual AccelChoice choose_accel(VmAccel configured) const = 0;
  // Starts the VMM confined (its uid, cgroup, no_new_privs, not dumpable,
  // dies with the runner) and the guest booting.
  virtual Result<StartedVm> start(const VmSpec& spec) const = 0;

  // guest_image_missing, with the command that builds them, when an image is absent.
  Result<void> check_images() const;
  const std::filesystem::path& kernel() const { return kernel_; }
  const std::filesystem::path& initramfs() const { return initramfs_; }
  const std::filesystem::path& shell_vm_disk() const { return shell_disk_; }
  const std::filesystem::path& oxydra_vm_disk() const { return oxydra_disk_; }
  // The preload that makes the VMM not dumpable; empty when it is not installed.
  const std::filesystem::path& nodump_library() const { return nodump_; }

 protected:
  // The images from [micro_vm] (or their defaults under images_dir) and the preload.
  void locate_files(const RunnerConfig& runner);
  // The confinement every VMM gets, for spawn_hardened().
  std::vector<std::string> environment() const;

  std::filesystem::path kernel_, initramfs_, shell_disk_, oxydra_disk_, nodump_;
};

}  // namespace oxydra::runner
