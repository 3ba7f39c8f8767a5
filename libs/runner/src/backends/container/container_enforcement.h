#pragma once

#include <sys/types.h>

#include <vector>

#include "backends/container/oci/oci_config.h"
#include "oxydra/types/enforcement_report.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::runner {

struct MeasuredGuest {
  EnforcementReport report;
  std::vector<DegradedReason> degraded;  // what the configuration asked for but is not in force
};

// Reads what is in force for a running container guest from the host's
// /proc/<init_pid> and its cgroup files, and compares it with what `guest`
// asked for: a protection that was configured but cannot be seen is reported
// degraded, never assumed.
MeasuredGuest measure_container_guest(pid_t init_pid, const OciGuest& guest);

}  // namespace oxydra::runner
