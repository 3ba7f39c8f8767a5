#pragma once

#include <sys/types.h>

#include "backends/micro_vm/accel_probe.h"
#include "backends/micro_vm/guest_hello.h"
#include "backends/micro_vm/vmm.h"
#include "backends/micro_vm/vmm_cgroup.h"
#include "oxydra/types/enforcement_report.h"

namespace oxydra::runner {

// The report of one VM guest: the guest's own measurements (read back over
// the link), the VMM's (its process, cgroup and command line) and the devices.
EnforcementReport vm_enforcement(const GuestHello& hello, const VmmCgroup& cgroup,
                                 const VmSpec& spec, const AccelChoice& accel, const Vmm& vmm,
                                 pid_t vmm_pid);

}  // namespace oxydra::runner
