#include "backends/container/container_enforcement.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "backends/container/container_guest.h"
#include "oxydra/sandbox/enforcement_probe.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_trimmed(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

std::optional<std::uint64_t> read_number(const fs::path& path) {
  auto text = read_trimmed(path);
  if (!text || text->empty() || *text == "max") return std::nullopt;
  try {
    return std::stoull(*text);
  } catch (...) {
    return std::nullopt;
  }
}

// The guest's cgroups from /proc/<pid>/cgroup: v1 lines "N:memory:/path",
// the v2 line "0::/path". Limits are read from the files the kernel enforces.
CgroupLimits read_cgroup_limits(pid_t pid) {
  CgroupLimits limits;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line, v2_path;
  std::map<std::string, std::string> v1;
  while (std::getline(in, line)) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      v2_path = path;
      continue;
    }
    std::stringstream names(controllers);
    std::string name;
    while (std::getline(names, name, ','))
      v1[name] = path;
  }
  std::vector<std::string> sources;
  const fs::path v1_root = "/sys/fs/cgroup";
  if (v1.count("memory")) {
    // v1 reports "no limit" as a huge page-rounded number.
    auto bytes = read_number(v1_root / "memory" / fs::path(v1["memory"]).relative_path() /
                             "memory.limit_in_bytes");
    if (bytes && *bytes < (std::uint64_t{1} << 62)) limits.memory = bytes;
    sources.push_back("cgroup1:memory:" + v1["memory"]);
  }
  if (v1.count("pids")) {
    limits.pids = read_number(v1_root / "pids" / fs::path(v1["pids"]).relative_path() / "pids.max");
    sources.push_back("cgroup1:pids:" + v1["pids"]);
  }
  if (v1.count("cpu")) {
    fs::path dir = v1_root / "cpu" / fs::path(v1["cpu"]).relative_path();
    auto quota = read_trimmed(dir / "cpu.cfs_quota_us");
    auto period = read_number(dir / "cpu.cfs_period_us");
    if (quota && period && *period > 0 && !quota->empty() && (*quota)[0] != '-') {
      limits.cpu = std::stod(*quota) / static_cast<double>(*period);
    }
    sources.push_back("cgroup1:cpu:" + v1["cpu"]);
  }
  if (sources.empty() && !v2_path.empty()) {
    for (const fs::path& root : {fs::path("/sys/fs/cgroup"), fs::path("/sys/fs/cgroup/unified")}) {
      fs::path dir = root / fs::path(v2_path).relative_path();
      if (!fs::exists(dir / "pids.max") && !fs::exists(dir / "memory.max")) continue;
      limits.memory = read_number(dir / "memory.max");
      limits.pids = read_number(dir / "pids.max");
      if (auto cpu = read_trimmed(dir / "cpu.max")) {
        std::stringstream fields(*cpu);
        std::string quota;
        double period = 0;
        fields >> quota >> period;
        if (quota != "max" && period > 0) limits.cpu = std::stod(quota) / period;
      }
      sources.push_back("cgroup2:" + dir.string());
      break;
    }
  }
  for (std::size_t i = 0; i < sources.size(); ++i)
    limits.source += (i ? " " : "") + sources[i];
  return limits;
}

void expect(bool held, const std::string& what, std::vector<std::string>& missing) {
  if (!held) missing.push_back(what);
}

}  // namespace

MeasuredGuest measure_container_guest(pid_t init_pid, const OciGuest& guest) {
  MeasuredGuest out;
  EnforcementReport& report = out.report;
  auto measured = sandbox::measure_process(init_pid);
  report.namespaces = measured.namespaces;
  report.rootfs_read_only = measured.rootfs_read_only;
  report.no_new_privs = measured.status.no_new_privs;
  if (measured.status.cap_eff) {
    report.capabilities = sandbox::capability_names(*measured.status.cap_eff);
    report.capabilities_mask = sandbox::capability_mask_hex(*measured.status.cap_eff);
  }
  if (measured.status.seccomp_mode) {
    SeccompState seccomp;
    seccomp.mode = *measured.status.seccomp_mode == 2   ? std::string(kSeccompFilter)
                   : *measured.status.seccomp_mode == 1 ? std::string(kSeccompStrict)
                                                        : std::string(kSeccompDisabled);
    if (*measured.status.seccomp_mode == 2) {
      seccomp.policy =
          std::string(guest.runtime_seccomp ? kRuntimeSeccompPolicy : kContainerSeccompPolicy);
    }
    report.seccomp = seccomp;
  }
  std::vector<std::string> writable;
  for (const auto& bind : guest.binds)
    if (!bind.read_only) writable.push_back(bind.destination);
  report.writable_paths = writable;
  report.cgroup = read_cgroup_limits(init_pid);
  const bool proxied = std::any_of(guest.binds.begin(), guest.binds.end(), [](const auto& bind) {
    return bind.destination == kGuestEgressDir;
  });
  if (measured.namespaces.net == true && proxied) {
    report.network = std::string(kNetworkEgressProxy);
    report.notes.emplace_back(
        "network: own namespace, loopback only; egress only through the runner's SOCKS5 proxy " +
        std::string(kGuestEgressSocket) +
        ", which refuses host loopback, the host's own addresses, link-local (169.254.0.0/16, "
        "fe80::/10: cloud metadata) and multicast, except policy.egress_allow");
  } else if (measured.namespaces.net == true) {
    report.network = std::string(kNetworkLoopback);
  } else if (measured.namespaces.net == false) {
    report.network = std::string(kNetworkEgress);
  }
  if (measured.status.real_uid) {
    report.notes.push_back("guest uid " + std::to_string(guest.uid) + " is host uid " +
                           std::to_string(*measured.status.real_uid));
  }
  report.notes.insert(report.notes.end(), measured.problems.begin(), measured.problems.end());

  std::vector<std::string> missing;
  const NamespaceSet& ns = report.namespaces;
  expect(ns.user == true, "user namespace", missing);
  expect(ns.mount == true, "mount namespace", missing);
  expect(ns.pid == true, "pid namespace", missing);
  expect(ns.ipc == true, "ipc namespace", missing);
  expect(ns.uts == true, "uts namespace", missing);
  if (guest.own_network) expect(ns.net == true, "network namespace", missing);
  expect(report.rootfs_read_only == true, "read-only root filesystem", missing);
  expect(report.no_new_privs == true, "no_new_privs", missing);
  expect(measured.status.cap_eff == 0u, "no capabilities", missing);
  expect(report.seccomp && report.seccomp->mode == kSeccompFilter, "seccomp filter", missing);
  expect(report.cgroup->memory.has_value(), "cgroup memory limit", missing);
  expect(report.cgroup->pids.has_value(), "cgroup pids limit", missing);
  if (!missing.empty()) {
    std::string detail = "not in force for " + guest.hostname + ":";
    for (std::size_t i = 0; i < missing.size(); ++i)
      detail += (i ? ", " : " ") + missing[i];
    out.degraded.push_back({std::string(degraded::kContainerIsolationLimited), detail});
  }
  return out;
}

}  // namespace oxydra::runner
