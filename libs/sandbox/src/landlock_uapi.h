#pragma once

// The Landlock kernel interface up to ABI 7, defined here because Debian 12's
// headers stop at ABI 2 (tiers.md). Values are the kernel's uapi; what we use is
// chosen at run time from the ABI the kernel reports.

#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace oxydra::sandbox::landlock_uapi {

// ABI 1 and 2 (present in the system header).
inline constexpr std::uint64_t kFsExecute = LANDLOCK_ACCESS_FS_EXECUTE;
inline constexpr std::uint64_t kFsWriteFile = LANDLOCK_ACCESS_FS_WRITE_FILE;
inline constexpr std::uint64_t kFsReadFile = LANDLOCK_ACCESS_FS_READ_FILE;
inline constexpr std::uint64_t kFsReadDir = LANDLOCK_ACCESS_FS_READ_DIR;
inline constexpr std::uint64_t kFsRemoveDir = LANDLOCK_ACCESS_FS_REMOVE_DIR;
inline constexpr std::uint64_t kFsRemoveFile = LANDLOCK_ACCESS_FS_REMOVE_FILE;
inline constexpr std::uint64_t kFsMakeChar = LANDLOCK_ACCESS_FS_MAKE_CHAR;
inline constexpr std::uint64_t kFsMakeDir = LANDLOCK_ACCESS_FS_MAKE_DIR;
inline constexpr std::uint64_t kFsMakeReg = LANDLOCK_ACCESS_FS_MAKE_REG;
inline constexpr std::uint64_t kFsMakeSock = LANDLOCK_ACCESS_FS_MAKE_SOCK;
inline constexpr std::uint64_t kFsMakeFifo = LANDLOCK_ACCESS_FS_MAKE_FIFO;
inline constexpr std::uint64_t kFsMakeBlock = LANDLOCK_ACCESS_FS_MAKE_BLOCK;
inline constexpr std::uint64_t kFsMakeSym = LANDLOCK_ACCESS_FS_MAKE_SYM;
inline constexpr std::uint64_t kFsRefer = 1ULL << 13;                 // ABI 2
inline constexpr std::uint64_t kFsTruncate = 1ULL << 14;              // ABI 3
inline constexpr std::uint64_t kFsIoctlDev = 1ULL << 15;              // ABI 5
inline constexpr std::uint64_t kNetBindTcp = 1ULL << 0;               // ABI 4
inline constexpr std::uint64_t kNetConnectTcp = 1ULL << 1;            // ABI 4
inline constexpr std::uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
inline constexpr std::uint64_t kScopeSignal = 1ULL << 1;              // ABI 6

// landlock_restrict_self() flags, ABI 7.
inline constexpr std::uint32_t kRestrictLogSameExecOff = 1U << 0;
inline constexpr std::uint32_t kRestrictLogNewExecOn = 1U << 1;
inline constexpr std::uint32_t kRestrictLogSubdomainsOff = 1U << 2;

inline constexpr int kRulePathBeneath = 1;
inline constexpr int kRuleNetPort = 2;  // ABI 4

// struct landlock_ruleset_attr as of ABI 6; the size passed to the kernel says
// how many fields it may read (RulesetAttrSize).
struct RulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;  // ABI 4
  std::uint64_t scoped;              // ABI 6
};

struct __attribute__((packed)) PathBeneathAttr {
  std::uint64_t allowed_access;
  std::int32_t parent_fd;
};

struct NetPortAttr {  // ABI 4
  std::uint64_t allowed_access;
  std::uint64_t port;
};

// The attribute size a kernel of `abi` understands; older kernels reject the
// newer fields unless they are zero, so we pass exactly what the ABI defines.
inline constexpr std::size_t ruleset_attr_size(int abi) {
  if (abi >= 6) return sizeof(RulesetAttr);
  if (abi >= 4) return 2 * sizeof(std::uint64_t);
  return sizeof(std::uint64_t);
}

inline long create_ruleset(const RulesetAttr* attr, std::size_t size, std::uint32_t flags) {
  return ::syscall(SYS_landlock_create_ruleset, attr, size, flags);
}
inline long add_rule(int ruleset_fd, int rule_type, const void* attr) {
  return ::syscall(SYS_landlock_add_rule, ruleset_fd, rule_type, attr, 0U);
}
inline long restrict_self(int ruleset_fd, std::uint32_t flags) {
  return ::syscall(SYS_landlock_restrict_self, ruleset_fd, flags);
}

}  // namespace oxydra::sandbox::landlock_uapi
