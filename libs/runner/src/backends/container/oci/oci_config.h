#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "oxydra/types/user_config.h"

namespace oxydra::runner {

// One container guest as the OCI runtime spec (config.json) describes it.
// Everything a guest may touch is listed here; nothing else of the host is
// mounted.

struct OciBind {
  std::filesystem::path source;  // host path
  std::string destination;       // guest path
  bool read_only = false;
};

// Guest ids 0..count-1 map to host ids host_base..host_base+count-1, so the
// guest's root and its unprivileged user are unprivileged host ids.
struct OciIdMap {
  std::uint32_t host_base = 0;
  std::uint32_t count = 0;
};

struct OciGuest {
  std::string hostname;
  std::filesystem::path rootfs;
  std::vector<std::string> args;  // argv, init first
  std::vector<std::string> env;   // "NAME=value": never a secret
  std::string cwd = "/";
  std::uint32_t uid = 0;  // inside the guest
  std::uint32_t gid = 0;
  OciIdMap ids;
  std::vector<OciBind> binds;
  bool own_network = true;       // a network namespace with only loopback
  bool runtime_seccomp = false;  // oxydra-vm: the narrower runtime list
  UserResources resources;
  std::string cgroups_path;  // absolute, e.g. "/oxydra/oxydra-alice-shell-vm"
};

inline constexpr std::string_view kContainerSeccompPolicy = "oxydra-container-v2";
inline constexpr std::string_view kRuntimeSeccompPolicy = "oxydra-runtime-v1";

// The seccomp profile of every container guest (oxydra-container-v2): the
// allow list of seccomp_policy.h with EPERM for everything else, as OCI rules,
// in the format both config.json's linux.seccomp and Docker's SecurityOpt
// "seccomp=<json>" take.
// `runtime`: oxydra-vm's narrower list (oxydra-runtime-v1, seccomp_runtime_syscalls()).
nlohmann::json container_seccomp_profile(bool runtime = false);

// config.json for runc / crun: read-only root, user/mount/pid/ipc/uts/cgroup
// namespaces (and net when own_network), no capabilities, no_new_privs, the
// seccomp profile (the allow list, as OCI rules) and cgroup
// limits from `resources`.
nlohmann::json oci_config(const OciGuest& guest);

}  // namespace oxydra::runner
