#include "backends/container/oci/oci_config.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "oxydra/sandbox/seccomp_policy.h"

namespace oxydra::runner {

namespace {

using nlohmann::json;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::int64_t kCpuPeriodUs = 100000;

json mounts(const OciGuest& guest) {
  json list = {
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
      {{"destination", "/dev/shm"},
       {"type", "tmpfs"},
       {"source", "shm"},
       {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", "/dev/mqueue"},
       {"type", "mqueue"},
       {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
  };
  for (const auto& bind : guest.binds) {
    json options = {"rbind", "nosuid", "nodev"};
    options.push_back(bind.read_only ? "ro" : "rw");
    list.push_back({{"destination", bind.destination},
                    {"type", "bind"},
                    {"source", bind.source.string()},
                    {"options", options}});
  }
  return list;
}

json resources(const UserResources& limits) {
  return {{"memory",
           {{"limit", static_cast<std::int64_t>(limits.max_memory_mib * kMiB)},
            {"swap", static_cast<std::int64_t>(limits.max_memory_mib * kMiB)}}},
          {"pids", {{"limit", limits.max_processes}}},
          {"cpu", {{"quota", limits.max_vcpus * kCpuPeriodUs}, {"period", kCpuPeriodUs}}},
          {"devices", {{{"allow", false}, {"access", "rwm"}}}}};
}

}  // namespace

namespace {

json to_json(const sandbox::ArgRule& rule) {
  const char* op = "SCMP_CMP_MASKED_EQ";
  if (rule.op == sandbox::ArgOp::eq) op = "SCMP_CMP_EQ";
  if (rule.op == sandbox::ArgOp::lt) op = "SCMP_CMP_LT";
  if (rule.op == sandbox::ArgOp::gt) op = "SCMP_CMP_GT";
  return {{"index", rule.index}, {"value", rule.value}, {"valueTwo", rule.value_two}, {"op", op}};
}

}  // namespace

json container_seccomp_profile(bool runtime) {
  // scripts/seccomp-audit: every allowed call is still allowed, and logged by
  // the kernel, to learn which ones the guests use.
  const char* audit = std::getenv("OXYDRA_SECCOMP_AUDIT");
  const std::string allow = audit && *audit ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW";
  json allowed = json::array();
  for (const std::string_view name :
       runtime ? sandbox::seccomp_runtime_syscalls() : sandbox::seccomp_allowed_syscalls())
    allowed.push_back(std::string(name));
  json rules = json::array();
  rules.push_back({{"names", allowed}, {"action", allow}});
  // One rule per value: the arguments of one rule must all match, separate
  // rules are alternatives.
  for (const auto& rule : sandbox::seccomp_allowed_with_args()) {
    if (runtime && rule.name == "personality") continue;
    rules.push_back(
        {{"names", {std::string(rule.name)}}, {"action", allow}, {"args", {to_json(rule)}}});
  }
  for (const auto& denial : sandbox::seccomp_denied_syscalls()) {
    if (denial.error == sandbox::kSeccompDefaultErrno) continue;  // the default already
    rules.push_back({{"names", {std::string(denial.name)}},
                     {"action", "SCMP_ACT_ERRNO"},
                     {"errnoRet", denial.error}});
  }
  // x86_64 only: i386 and x32 calls get the default errno from runc (and the
  // process tier's filter kills them).
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"defaultErrnoRet", sandbox::kSeccompDefaultErrno},
          {"architectures", {"SCMP_ARCH_X86_64"}},
          {"syscalls", rules}};
}

json oci_config(const OciGuest& guest) {
  json namespaces = {{{"type", "pid"}},   {{"type", "ipc"}},  {{"type", "uts"}},
                     {{"type", "mount"}}, {{"type", "user"}}, {{"type", "cgroup"}}};
  if (guest.own_network) namespaces.push_back({{"type", "network"}});
  const json id_map = {
      {{"containerID", 0}, {"hostID", guest.ids.host_base}, {"size", guest.ids.count}}};

  json process = {
      {"terminal", false},
      {"user", {{"uid", guest.uid}, {"gid", guest.gid}}},
      {"args", guest.args},
      {"env", guest.env},
      {"cwd", guest.cwd},
      {"capabilities",
       {{"bounding", json::array()},
        {"effective", json::array()},
        {"inheritable", json::array()},
        {"permitted", json::array()},
        {"ambient", json::array()}}},
      // No core dumps, ever: a crash of oxydra-vm would write its memory (the
      // credentials) to disk, and a guest must not be able to raise the limit.
      {"rlimits",
       {{{"type", "RLIMIT_NOFILE"}, {"hard", 4096}, {"soft", 4096}},
        {{"type", "RLIMIT_CORE"}, {"hard", 0}, {"soft", 0}}}},
      {"noNewPrivileges", true},
  };

  return {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", guest.rootfs.string()}, {"readonly", true}}},
      {"hostname", guest.hostname},
      {"mounts", mounts(guest)},
      {"linux",
       {{"namespaces", namespaces},
        {"uidMappings", id_map},
        {"gidMappings", id_map},
        {"cgroupsPath", guest.cgroups_path},
        {"resources", resources(guest.resources)},
        {"seccomp", container_seccomp_profile(guest.runtime_seccomp)},
        {"maskedPaths",
         {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
          "/sys/firmware"}},
        {"readonlyPaths",
         {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}},
  };
}

}  // namespace oxydra::runner
