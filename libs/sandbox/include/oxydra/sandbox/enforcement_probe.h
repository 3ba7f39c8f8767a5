#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/types/enforcement_report.h"

namespace oxydra::sandbox {

// Reads what the kernel says is in force for a process, from /proc. Nothing here
// is taken from a plan: a field that could not be read stays nullopt.

// The lines of /proc/<pid>/status the enforcement report needs.
struct ProcStatus {
  std::optional<std::uint32_t> real_uid;
  std::optional<bool> no_new_privs;
  std::optional<int> seccomp_mode;  // 0 disabled, 1 strict, 2 filter
  std::optional<int> seccomp_filters;
  std::optional<std::uint64_t> cap_eff;
  std::optional<std::uint64_t> cap_prm;
  std::optional<std::uint64_t> cap_bnd;
};
ProcStatus parse_proc_status(std::string_view text);

// One line of /proc/<pid>/limits; nullopt means unlimited.
struct ProcLimit {
  std::optional<std::uint64_t> soft;
  std::optional<std::uint64_t> hard;
};
struct ProcLimits {
  std::optional<ProcLimit> processes;  // "Max processes"
  std::optional<ProcLimit> data;       // "Max data size"
  std::optional<ProcLimit> address_space;
  std::optional<ProcLimit> core;
};
ProcLimits parse_proc_limits(std::string_view text);

struct ProcessMeasurement {
  ProcStatus status;
  ProcLimits limits;
  NamespaceSet namespaces;  // own namespace of each kind, compared with the reference
  std::optional<bool> rootfs_read_only;
  std::vector<std::string> problems;  // what could not be read, one line each
};

// Measures `proc_dir` ("/proc/<pid>", "/proc/self") against `reference_proc_dir`
// for namespaces (the runner's own /proc/self for its child; a process inside a
// Landlock domain cannot read a reference outside it, so those stay nullopt).
ProcessMeasurement measure_process(const std::string& proc_dir,
                                   const std::string& reference_proc_dir);
// The runner's view of its child `pid`.
ProcessMeasurement measure_process(pid_t pid);

// "cap_chown", "cap_sys_admin", ... for each set bit; unknown bits as "cap_<n>".
std::vector<std::string> capability_names(std::uint64_t mask);
std::string capability_mask_hex(std::uint64_t mask);  // 16 hex digits, as in CapEff

inline constexpr int kCapSysAdmin = 21;
inline constexpr int kCapSysResource = 24;

}  // namespace oxydra::sandbox
