#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "oxydra/sandbox/landlock_policy.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

// The newest Landlock ABI this code knows; a newer kernel is used at this level.
inline constexpr int kLandlockNewestKnownAbi = 7;
// The ABI at which every right and scope our policy asks for is enforced.
inline constexpr int kLandlockFullAbi = 6;

// A ruleset built in the parent before fork; the child only restricts itself.
struct LandlockPlan {
  int abi = 0;                // the kernel's ABI; 0 when Landlock is unavailable
  int unavailable_errno = 0;  // why abi is 0 (ENOSYS: not built, EOPNOTSUPP: disabled)
  std::uint64_t handled_access_fs = 0;
  std::uint64_t handled_access_net = 0;
  std::uint64_t scoped = 0;
  std::uint32_t restrict_flags = 0;
  sys::UniqueFd ruleset;                    // O_CLOEXEC, so it never reaches the guest
  std::vector<std::string> writable_paths;  // granted write access (they exist)
  std::vector<std::string> skipped_paths;   // optional paths this host lacks
  std::vector<std::string> limits;          // what this ABI cannot enforce, one line each
};

// The kernel's Landlock ABI version, or 0 with `*error` set to the errno.
int landlock_abi(int* error = nullptr);

// Creates the ruleset for the kernel's ABI and adds every rule. Unavailable
// Landlock is not an error (the plan says so); a missing required path or a
// rejected rule is ("landlock_add_rule /usr: Bad file descriptor").
Result<LandlockPlan> prepare_landlock(const LandlockPolicy& policy);

// Child side, between fork and exec: no allocation. 0, or the errno of
// landlock_restrict_self. Does nothing (0) when the plan has no ruleset.
int apply_landlock(const LandlockPlan& plan) noexcept;

// Names for the enforcement report: "write_file", "connect_tcp", "signal", ...
std::vector<std::string> landlock_fs_access_names(std::uint64_t mask);
std::vector<std::string> landlock_net_access_names(std::uint64_t mask);
std::vector<std::string> landlock_scope_names(std::uint64_t mask);

}  // namespace oxydra::sandbox
