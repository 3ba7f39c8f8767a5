#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace oxydra::runner {

// What a guest uses now, as the host kernel counts it.
struct GuestUsage {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpu_seconds;  // since the guest started
  std::string source;                 // "cgroup" or "process"
};

// Reads the cgroup `pid` is in (memory.current and cpu.stat on cgroup v2,
// memory.usage_in_bytes and cpuacct.usage on v1): for a guest with a cgroup of
// its own, that is the whole guest. A process in the caller's own cgroup (the
// process tier on a host without one per guest) is measured alone from /proc.
// Unreadable figures stay empty.
GuestUsage measure_guest_usage(pid_t pid);

}  // namespace oxydra::runner
