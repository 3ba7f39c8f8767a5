#pragma once

#include <chrono>
#include <string>

#include "backends/micro_vm/qemu_command.h"
#include "oxydra/types/runner_config.h"

namespace oxydra::runner {

// Which acceleration a microVM gets, and why (the warning and the
// enforcement report say it).
struct AccelChoice {
  std::string accel;   // "kvm" or "tcg"
  std::string reason;  // why this one: forced by the config, or what the probe found
};

// `kvm` and `tcg` are taken as configured. `automatic` proves KVM rather
// than trusting /dev/kvm: it boots `probe` (the project's kernel and
// initramfs, no devices) under KVM with oxydra.probe=1 and takes KVM only if
// the guest's /init reports within `timeout`. A host whose /dev/kvm cannot
// boot a stock guest (this machine kind's PVM-only KVM) gets tcg, with the
// failure as the reason. The probe costs up to `timeout` where KVM hangs; a
// backend should keep the answer per host (QEMU and kernel version).
AccelChoice choose_accel(VmAccel configured, QemuGuest probe, std::chrono::milliseconds timeout);

}  // namespace oxydra::runner
