#pragma once

#include <linux/filter.h>

#include <string>
#include <string_view>
#include <vector>

#include "oxydra/sandbox/seccomp_policy.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

// A seccomp filter compiled to BPF in the parent before fork, so that the child
// only hands a ready program to the kernel (libseccomp allocates while loading).
struct SeccompPlan {
  std::string policy;                // kSeccompPolicyName
  std::vector<sock_filter> program;  // for the native architecture only
  std::vector<std::string> skipped;  // names this architecture or libseccomp lacks
};

// Which allow list of seccomp_policy.h: every guest's (the process tier and
// shell-vm) or oxydra-vm's narrower one.
enum class SeccompList { guest, runtime };

// Compiles the policy of seccomp_policy.h: the allow list, EPERM for the rest,
// listed refusals with their errno, foreign architectures (i386, x32) killed.
// `name` goes into the plan (and the enforcement report).
Result<SeccompPlan> compile_seccomp_policy(SeccompList list = SeccompList::guest,
                                           std::string_view name = kSeccompPolicyName);

// Child side, between fork and exec: no allocation. Needs no_new_privs (or
// CAP_SYS_ADMIN). 0, or the errno of seccomp(SECCOMP_SET_MODE_FILTER).
int apply_seccomp(const SeccompPlan& plan) noexcept;

}  // namespace oxydra::sandbox
