#pragma once

#include <memory>
#include <string>

#include "backends/micro_vm/vmm.h"

namespace oxydra::runner {

// The firecracker driver. Not packaged for Debian and needing KVM, so never
// run here against a real Firecracker: it is tested against a peer that
// speaks the documented API and vsock handshake byte for byte
// (tests/integration/micro_vm/firecracker_vmm_test.cc), and `status` says so.
//
// Firecracker is started the way its jailer would leave it, minus the
// chroot: as the guest's unprivileged uid, in its own cgroup, with
// no_new_privs, no core and not dumpable, dying with the runner, with
// `--id <vm name>` and its API socket in the VM's own directory. It is then
// configured over that socket (machine config, boot source, drives, vsock)
// and started (InstanceStart). The host reaches the guest's link and
// envelope ports through Firecracker's vsock Unix socket: "CONNECT <port>\n",
// answered "OK <host port>\n", retried until the guest listens.
//
// Firecracker has no file-sharing device (no 9p, no virtiofs): a guest given
// shares is refused with that reason; the user's directories reach a VM only
// through the qemu driver today.
class FirecrackerVmm final : public Vmm {
 public:
  static Result<std::unique_ptr<FirecrackerVmm>> locate(const RunnerConfig& runner);

  std::string name() const override { return "firecracker"; }
  const std::string& version() const override { return version_; }
  // Firecracker runs only on KVM.
  AccelChoice choose_accel(VmAccel configured) const override;
  Result<StartedVm> start(const VmSpec& spec) const override;

 private:
  std::string firecracker_;
  std::string version_;
  std::string operator_args_;
};

}  // namespace oxydra::runner
