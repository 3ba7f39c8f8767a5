#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra {

// What isolation is actually in force for one guest, measured rather than
// assumed (tiers.md, "The enforcement report"). Throughout, nullopt means
// "unknown or not applicable" and serializes as JSON null: a report never
// claims a protection nobody checked.

// Whether the guest runs in its own namespace of each kind.
struct NamespaceSet {
  std::optional<bool> user;
  std::optional<bool> mount;
  std::optional<bool> pid;
  std::optional<bool> net;
  std::optional<bool> ipc;
  std::optional<bool> uts;
  std::optional<bool> cgroup;
  bool operator==(const NamespaceSet&) const = default;
};

inline constexpr std::string_view kSeccompDisabled = "disabled";
inline constexpr std::string_view kSeccompStrict = "strict";
inline constexpr std::string_view kSeccompFilter = "filter";

struct SeccompState {
  std::string mode;                   // kSeccomp*: the kernel's `Seccomp:` 0, 1, 2
  std::optional<std::string> policy;  // name of the filter we installed, if any
  bool operator==(const SeccompState&) const = default;
};

inline constexpr std::string_view kLandlockFullyEnforced = "fully_enforced";
inline constexpr std::string_view kLandlockPartiallyEnforced = "partially_enforced";
inline constexpr std::string_view kLandlockNotEnforced = "not_enforced";
inline constexpr std::string_view kLandlockUnsupported = "unsupported";

struct LandlockState {
  std::optional<int> abi;  // as reported by the kernel
  // Access rights named after the kernel constants, lower case without prefix:
  // "write_file", "make_dir", ...; "bind_tcp", "connect_tcp"; scopes
  // "abstract_unix_socket", "signal".
  std::vector<std::string> handled_access_fs;
  std::vector<std::string> handled_access_net;
  std::vector<std::string> scoped;
  std::string status;  // kLandlock*
  bool operator==(const LandlockState&) const = default;
};

struct CgroupLimits {
  std::optional<double> cpu;            // CPUs (quota / period); nullopt: unlimited or unknown
  std::optional<std::uint64_t> memory;  // bytes
  std::optional<std::uint64_t> pids;
  std::string source;  // where the numbers come from, e.g. "cgroup2:/sys/fs/cgroup/x", "rlimit"
  bool operator==(const CgroupLimits&) const = default;
};

inline constexpr std::string_view kNetworkNone = "none";
inline constexpr std::string_view kNetworkLoopback = "loopback";
inline constexpr std::string_view kNetworkEgress = "egress";
// Own namespace with loopback only; egress only through the runner's
// filtering proxy (nothing on the host, no link-local metadata).
inline constexpr std::string_view kNetworkEgressProxy = "egress_proxy";

struct VmmInfo {
  std::string name;   // "qemu", "firecracker"
  std::string accel;  // "kvm", "tcg"
  // The rest is optional on the wire (docs/protocol.md).
  std::optional<std::string> version;       // the VMM's own, e.g. "QEMU emulator version 7.2.15"
  std::optional<std::string> accel_reason;  // why this acceleration
  std::optional<std::string> guest_kernel;  // as the guest reported it (uname -r)
  std::optional<int> vcpus;
  std::optional<std::uint64_t> memory_mib;   // guest RAM
  std::optional<std::uint64_t> vmm_rss_mib;  // the VMM process's resident memory, measured
  std::vector<std::string> devices;          // "virtio-blk root (read-only)", ...
  std::vector<std::string> shares;           // "shared -> /shared (9p, rw)", ...
  bool operator==(const VmmInfo&) const = default;
};

struct EnforcementReport {
  NamespaceSet namespaces;
  std::optional<bool> rootfs_read_only;
  std::optional<std::vector<std::string>> writable_paths;
  // Capability names held ("cap_net_raw"); an empty list means none.
  std::optional<std::vector<std::string>> capabilities;
  // The effective set as 16 hex digits, as in /proc/self/status `CapEff`.
  std::optional<std::string> capabilities_mask;
  std::optional<bool> no_new_privs;
  std::optional<SeccompState> seccomp;
  std::optional<LandlockState> landlock;
  std::optional<CgroupLimits> cgroup;
  std::optional<std::string> network;  // kNetwork*
  std::optional<VmmInfo> vmm;          // microVM tier only
  std::vector<std::string> notes;
  bool operator==(const EnforcementReport&) const = default;
};

nlohmann::json to_json(const EnforcementReport& report);

// `path` prefixes error messages ("startup_status.enforcement.runtime").
Result<EnforcementReport> parse_enforcement_report(const nlohmann::json& object,
                                                   const std::string& path, ErrorCode error_code);

}  // namespace oxydra
