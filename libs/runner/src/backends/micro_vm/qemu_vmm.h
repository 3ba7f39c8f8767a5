#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "backends/micro_vm/qemu_command.h"
#include "oxydra/runner/backend.h"
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
  std::filesystem::path link_socket;
};

// Preloaded into QEMU to make it not dumpable (apps/oxydra-runner/vmm_nodump.cc).
inline constexpr const char* kNoDumpLibrary = "oxydra-vmm-nodump.so";

// The qemu driver: QEMU's microvm machine, run as the guest's host uid with
// no_new_privs, its own seccomp filter (-sandbox on), no core dumps and not
// dumpable, in a cgroup of its own, killed with the runner (PR_SET_PDEATHSIG).
class QemuVmm {
 public:
  static Result<std::unique_ptr<QemuVmm>> locate(const RunnerConfig& runner);

  // guest_image_missing, with the command that builds them, when an image is absent.
  Result<void> check_images() const;
  const std::filesystem::path& kernel() const { return kernel_; }
  const std::filesystem::path& initramfs() const { return initramfs_; }
  const std::filesystem::path& shell_vm_disk() const { return shell_disk_; }
  const std::filesystem::path& oxydra_vm_disk() const { return oxydra_disk_; }
  const std::string& version() const { return version_; }
  // The preload that makes QEMU not dumpable; empty when it is not installed.
  const std::filesystem::path& nodump_library() const { return nodump_; }
  // The probe guest for choose_accel(): the project's kernel and initramfs.
  QemuGuest probe_guest() const;

  Result<StartedVm> start(const VmSpec& spec) const;

 private:
  std::string qemu_;
  std::string version_;
  std::filesystem::path kernel_, initramfs_, shell_disk_, oxydra_disk_;
  std::string operator_args_;
  std::filesystem::path nodump_;
  long host_mhz_ = 0;
};

}  // namespace oxydra::runner
