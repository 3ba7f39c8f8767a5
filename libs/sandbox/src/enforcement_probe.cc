#include "oxydra/sandbox/enforcement_probe.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace oxydra::sandbox {

namespace {

constexpr std::string_view kCapabilityNames[] = {
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
};

// The report's namespace kinds and their /proc/<pid>/ns entries.
struct NamespaceKind {
  std::string_view entry;
  std::optional<bool> NamespaceSet::*field;
};
constexpr NamespaceKind kNamespaces[] = {
    {"user", &NamespaceSet::user},     {"mnt", &NamespaceSet::mount}, {"pid", &NamespaceSet::pid},
    {"net", &NamespaceSet::net},       {"ipc", &NamespaceSet::ipc},   {"uts", &NamespaceSet::uts},
    {"cgroup", &NamespaceSet::cgroup},
};

std::optional<std::string> read_text(const std::string& path, std::vector<std::string>& problems) {
  std::ifstream in(path);
  if (!in) {
    problems.push_back("open " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

template <typename T>
std::optional<T> number(std::string_view text, int base = 10) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> limit_value(std::string_view token) {
  if (token == "unlimited") return std::nullopt;
  return number<std::uint64_t>(token);
}

// "Max processes   1024   unlimited   processes": the name has spaces, the values do not.
std::optional<ProcLimit> parse_limit_line(std::string_view rest) {
  std::istringstream fields{std::string(rest)};
  std::string soft, hard;
  if (!(fields >> soft >> hard)) return std::nullopt;
  return ProcLimit{limit_value(soft), limit_value(hard)};
}

std::optional<bool> own_namespace(const std::string& proc_dir, const std::string& reference,
                                  std::string_view entry, std::vector<std::string>& problems) {
  struct stat mine {};
  struct stat theirs {};
  std::string path = proc_dir + "/ns/" + std::string(entry);
  std::string ref_path = reference + "/ns/" + std::string(entry);
  if (::stat(path.c_str(), &mine) != 0) {
    problems.push_back("stat " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  if (::stat(ref_path.c_str(), &theirs) != 0) {
    problems.push_back("stat " + ref_path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  return mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev;
}

}  // namespace

ProcStatus parse_proc_status(std::string_view text) {
  ProcStatus status;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (key == "Uid") {
      status.real_uid = number<std::uint32_t>(value.substr(0, value.find_first_of(" \t")));
    } else if (key == "NoNewPrivs") {
      if (auto n = number<int>(value)) status.no_new_privs = *n != 0;
    } else if (key == "Seccomp") {
      status.seccomp_mode = number<int>(value);
    } else if (key == "Seccomp_filters") {
      status.seccomp_filters = number<int>(value);
    } else if (key == "CapEff") {
      status.cap_eff = number<std::uint64_t>(value, 16);
    } else if (key == "CapPrm") {
      status.cap_prm = number<std::uint64_t>(value, 16);
    } else if (key == "CapBnd") {
      status.cap_bnd = number<std::uint64_t>(value, 16);
    }
  }
  return status;
}

ProcLimits parse_proc_limits(std::string_view text) {
  struct Row {
    std::string_view name;
    std::optional<ProcLimit> ProcLimits::*field;
  };
  static constexpr Row kRows[] = {
      {"Max processes", &ProcLimits::processes},
      {"Max data size", &ProcLimits::data},
      {"Max address space", &ProcLimits::address_space},
      {"Max core file size", &ProcLimits::core},
  };
  ProcLimits limits;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    for (const auto& row : kRows) {
      if (line.starts_with(row.name))
        limits.*row.field = parse_limit_line(line.substr(row.name.size()));
    }
  }
  return limits;
}

ProcessMeasurement measure_process(const std::string& proc_dir,
                                   const std::string& reference_proc_dir) {
  ProcessMeasurement m;
  if (auto text = read_text(proc_dir + "/status", m.problems)) m.status = parse_proc_status(*text);
  if (auto text = read_text(proc_dir + "/limits", m.problems)) m.limits = parse_proc_limits(*text);
  for (const auto& kind : kNamespaces) {
    m.namespaces.*kind.field = own_namespace(proc_dir, reference_proc_dir, kind.entry, m.problems);
  }
  struct statvfs root {};
  std::string root_path = proc_dir + "/root/";
  if (::statvfs(root_path.c_str(), &root) == 0) {
    m.rootfs_read_only = (root.f_flag & ST_RDONLY) != 0;
  } else {
    m.problems.push_back("statvfs " + root_path + ": " + std::strerror(errno));
  }
  return m;
}

ProcessMeasurement measure_process(pid_t pid) {
  return measure_process("/proc/" + std::to_string(pid), "/proc/self");
}

std::vector<std::string> capability_names(std::uint64_t mask) {
  std::vector<std::string> names;
  for (int bit = 0; bit < 64; ++bit) {
    if (!(mask & (std::uint64_t{1} << bit))) continue;
    if (static_cast<std::size_t>(bit) < std::size(kCapabilityNames)) {
      names.emplace_back(kCapabilityNames[bit]);
    } else {
      names.push_back("cap_" + std::to_string(bit));
    }
  }
  return names;
}

std::string capability_mask_hex(std::uint64_t mask) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(mask));
  return buffer;
}

}  // namespace oxydra::sandbox
