#pragma once

#include <sys/resource.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace oxydra::sandbox {

struct RlimitSetting {
  int resource = 0;  // RLIMIT_*
  rlim_t value = 0;  // soft and hard: the guest cannot raise it again
};

// A fixed-size list, so that applying it in the child allocates nothing.
struct RlimitPlan {
  std::array<RlimitSetting, 4> items{};
  std::size_t count = 0;
  std::string_view memory_skipped;  // why max_memory_mib was not applied, if it was not
};

// The guest's limits: RLIMIT_DATA from max_memory_mib, RLIMIT_NPROC from
// max_processes, and RLIMIT_CORE 0 always (a core dump of oxydra-vm would put
// its credentials on disk). Never above the caller's current hard limit.
// RLIMIT_DATA, not RLIMIT_AS: AS counts address space that runtimes reserve but
// never touch (thread arenas, JIT and GC heaps, sanitizer shadow), so it fails
// programs far below their real use; DATA counts private writable memory. Both
// are per process; an aggregate limit needs a cgroup (container tier). In ASan
// builds RLIMIT_DATA is left out (see memory_skipped) because it counts the
// sanitizer's shadow memory.
RlimitPlan plan_rlimits(std::optional<std::uint64_t> max_memory_mib,
                        std::optional<std::uint64_t> max_processes);

// Child side, between fork and exec: no allocation. 0, or the errno of the
// first setrlimit that failed, with its resource in `*failed_resource`.
int apply_rlimits(const RlimitPlan& plan, int* failed_resource) noexcept;

// "RLIMIT_DATA", ...
std::string_view rlimit_name(int resource);

}  // namespace oxydra::sandbox
