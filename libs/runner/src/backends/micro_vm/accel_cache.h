#pragma once

#include "backends/micro_vm/accel_probe.h"
#include "backends/micro_vm/qemu_vmm.h"
#include "oxydra/types/runner_config.h"

namespace oxydra::runner {

// choose_accel() for this host, kept for the boot in a file under /run
// keyed by QEMU's version, the host kernel and the configured accel, so the
// KVM probe (up to 10 s where KVM hangs) runs once per host, not per start.
AccelChoice cached_accel_choice(const QemuVmm& vmm, VmAccel configured);

}  // namespace oxydra::runner
