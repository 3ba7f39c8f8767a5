#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "oxydra/types/enforcement_report.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// The cgroup a VMM process runs in: its memory (guest RAM plus the VMM's own
// overhead), its CPU time (the guest's vCPUs) and its threads are bounded
// like any other host process of the runner. On a cgroup v1 host one group
// per controller (memory, pids, cpu) at oxydra/<name>; on v2 one group.
struct VmmLimits {
  std::uint64_t memory_bytes = 0;
  std::uint64_t pids = 0;
  double cpus = 0;
};

struct VmmCgroup {
  std::vector<std::string> procs_files;  // what a child writes "0" to, to join
  CgroupLimits limits;                   // as written, with where
};

// Creates (or reuses) the groups and writes the limits.
Result<VmmCgroup> make_vmm_cgroup(const std::string& name, const VmmLimits& limits);
// SIGKILLs whatever is left in the groups, then removes them: a VMM of a
// crashed run cannot survive a start. Missing groups are not an error.
void remove_vmm_cgroup(const std::string& name);
// The processes in the group now (the first controller's view).
std::vector<int> vmm_cgroup_pids(const std::string& name);

}  // namespace oxydra::runner
