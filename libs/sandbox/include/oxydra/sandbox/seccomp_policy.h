#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace oxydra::sandbox {

// The process tier's seccomp policy: allow by default, refuse a fixed list of
// syscalls with an errno (the table in seccomp_policy.cc). Bump the version when
// the table changes: the name goes into the enforcement report.
inline constexpr std::string_view kSeccompPolicyName = "oxydra-process-v1";

struct SyscallDenial {
  std::string_view name;  // as libseccomp resolves it for the native architecture
  int error;              // errno returned to the caller
  std::string_view why;
};

// clone() with any of these flags is refused with EPERM (clone3 is refused with
// ENOSYS, so that libc falls back to clone, whose flags a filter can inspect).
struct CloneFlagDenial {
  std::uint64_t flag;
  std::string_view name;
};

std::span<const SyscallDenial> seccomp_denied_syscalls();
std::span<const CloneFlagDenial> seccomp_denied_clone_flags();

}  // namespace oxydra::sandbox
