#include "oxydra/sandbox/rlimits.h"

#include <cerrno>

namespace oxydra::sandbox {

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

// The project builds every target with the same sanitizers, so a sanitized
// library means a sanitized guest, whose shadow memory (terabytes of private
// writable mappings) RLIMIT_DATA counts: with the limit, the guest cannot start.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerShadow = true;
#else
constexpr bool kSanitizerShadow = false;
#endif

void add(RlimitPlan& plan, int resource, std::uint64_t wanted) {
  rlimit current{};
  rlim_t value = static_cast<rlim_t>(wanted);
  // Raising a hard limit needs CAP_SYS_RESOURCE; a lower inherited one stays.
  if (::getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY &&
      current.rlim_max < value) {
    value = current.rlim_max;
  }
  plan.items[plan.count++] = RlimitSetting{resource, value};
}

}  // namespace

RlimitPlan plan_rlimits(std::optional<std::uint64_t> max_memory_mib,
                        std::optional<std::uint64_t> max_processes) {
  RlimitPlan plan;
  add(plan, RLIMIT_CORE, 0);
  if (max_memory_mib && kSanitizerShadow) {
    plan.memory_skipped =
        "RLIMIT_DATA not set: sanitized builds reserve their shadow memory as data";
  } else if (max_memory_mib) {
    bool overflows = *max_memory_mib > RLIM_INFINITY / kMiB;
    add(plan, RLIMIT_DATA, overflows ? RLIM_INFINITY : *max_memory_mib * kMiB);
  }
  if (max_processes) add(plan, RLIMIT_NPROC, *max_processes);
  return plan;
}

int apply_rlimits(const RlimitPlan& plan, int* failed_resource) noexcept {
  for (std::size_t i = 0; i < plan.count; ++i) {
    const RlimitSetting& item = plan.items[i];
    rlimit limit{item.value, item.value};
    if (::setrlimit(item.resource, &limit) != 0) {
      if (failed_resource) *failed_resource = item.resource;
      return errno;
    }
  }
  return 0;
}

std::string_view rlimit_name(int resource) {
  switch (resource) {
    case RLIMIT_CORE:
      return "RLIMIT_CORE";
    case RLIMIT_DATA:
      return "RLIMIT_DATA";
    case RLIMIT_NPROC:
      return "RLIMIT_NPROC";
    case RLIMIT_AS:
      return "RLIMIT_AS";
    default:
      return "RLIMIT_?";
  }
}

}  // namespace oxydra::sandbox
