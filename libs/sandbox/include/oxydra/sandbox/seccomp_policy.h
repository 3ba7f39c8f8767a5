#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace oxydra::sandbox {

// The seccomp policy of every guest (the container profile) and of the
// process tier's oxydra-vm: an allow list (seccomp_allow_list.cc) with EPERM
// for everything else, explicit refusals with their own errno
// (seccomp_policy.cc), foreign architectures killed. Bump the version when a
// table changes: the name goes into the enforcement report.
inline constexpr std::string_view kSeccompPolicyName = "oxydra-allow-v2";
inline constexpr int kSeccompDefaultErrno = 1;  // EPERM

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

// A rule on one argument, as both libseccomp and the OCI profile express it.
enum class ArgOp { eq, lt, gt, masked_eq };  // masked_eq: (arg & value) == value_two
struct ArgRule {
  std::string_view name;
  unsigned index;
  ArgOp op;
  std::uint64_t value;
  std::uint64_t value_two;
};

// Allowed unconditionally (the kernel's or libseccomp's unknown names are skipped).
std::span<const std::string_view> seccomp_allowed_syscalls();
// The narrower list of oxydra-vm's container (the agent runtime and its init):
// a subset of seccomp_allowed_syscalls(), with the same argument rules for
// clone, socket and ioctl (personality is not allowed at all).
std::span<const std::string_view> seccomp_runtime_syscalls();
// Allowed only when one of these rules matches (clone without namespace
// flags, harmless personality values, socket families, every ioctl but
// TIOCSTI and TIOCLINUX). Only allow rules: libseccomp lets an unconditional
// allow override a conditional refusal, so a refusal is a gap in the allows.
std::span<const ArgRule> seccomp_allowed_with_args();

// Masked-equality rules on one argument's low 32 bits that together match
// every value except `excluded` (the kernel reads an ioctl request as 32 bits,
// so high bits must not make a refused request look different).
std::vector<ArgRule> allow_all_but(std::string_view name, unsigned index,
                                   std::span<const std::uint32_t> excluded);

}  // namespace oxydra::sandbox
