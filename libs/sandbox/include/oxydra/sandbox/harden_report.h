#pragma once

#include <vector>

#include "oxydra/sandbox/enforcement_probe.h"
#include "oxydra/sandbox/harden.h"
#include "oxydra/types/enforcement_report.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

struct MeasuredEnforcement {
  EnforcementReport report;
  // One process_hardening_limited reason per protection that is not in force:
  // not available on this kernel, failed to apply, or applied but not measured.
  std::vector<DegradedReason> degraded;
};

// The enforcement report of a process-tier guest: what the child applied
// (`outcome`, checked against `plan`), confirmed by what /proc shows
// (`measured`). A protection counts only when both agree; Landlock has no /proc
// view, so landlock_restrict_self succeeding is its confirmation.
MeasuredEnforcement enforcement_report(const HardeningPlan& plan, const ApplyOutcome& outcome,
                                       const ProcessMeasurement& measured);

}  // namespace oxydra::sandbox
