#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "backends/micro_vm/qemu_command.h"
#include "backends/micro_vm/vmm.h"
#include "oxydra/runner/backend.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/runner_config.h"

namespace oxydra::runner {

// The qemu driver: QEMU's microvm machine, run as the guest's host uid with
// no_new_privs, its own seccomp filter (-sandbox on), no core dumps and not
// dumpable, in a cgroup of its own, killed with the runner (PR_SET_PDEATHSIG).
class QemuVmm final : public Vmm {
 public:
  static Result<std::unique_ptr<QemuVmm>> locate(const RunnerConfig& runner);

  std::string name() const override { return "qemu"; }
  const std::string& version() const override { return version_; }
  AccelChoice choose_accel(VmAccel configured) const override;
  Result<StartedVm> start(const VmSpec& spec) const override;
  // The probe guest for choose_accel(): the project's kernel and initramfs.
  QemuGuest probe_guest() const;

 private:
  std::string qemu_;
  std::string version_;
  std::string operator_args_;
  long host_mhz_ = 0;
};

}  // namespace oxydra::runner
