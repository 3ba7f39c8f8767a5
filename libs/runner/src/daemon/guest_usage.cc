#include "daemon/guest_usage.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace oxydra::runner {

namespace {

const std::string kCgroupRoot = "/sys/fs/cgroup";

struct CgroupLine {
  std::string controllers;  // "memory", "cpu,cpuacct", or "" for cgroup v2
  std::string path;
};

std::vector<CgroupLine> cgroups_of(const std::string& proc) {
  std::vector<CgroupLine> out;
  std::ifstream in(proc + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    out.push_back({line.substr(first + 1, second - first - 1), line.substr(second + 1)});
  }
  return out;
}

bool has_controller(const std::string& list, std::string_view name) {
  std::istringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (item == name) return true;
  return false;
}

const CgroupLine* find_v1(const std::vector<CgroupLine>& lines, std::string_view controller) {
  for (const auto& line : lines)
    if (has_controller(line.controllers, controller)) return &line;
  return nullptr;
}

const CgroupLine* find_v2(const std::vector<CgroupLine>& lines) {
  for (const auto& line : lines)
    if (line.controllers.empty()) return &line;
  return nullptr;
}

std::optional<std::uint64_t> read_number(const std::string& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text)) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "key value" lines, e.g. cpu.stat's usage_usec or status's "VmRSS: 1234 kB".
std::optional<std::uint64_t> read_keyed(const std::string& file, std::string_view key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    std::uint64_t value = 0;
    if (fields >> name >> value && name == key) return value;
  }
  return std::nullopt;
}

std::string unified_root() {
  // A pure cgroup v2 host mounts it at the root; a hybrid one under unified/.
  return ::access((kCgroupRoot + "/cgroup.controllers").c_str(), F_OK) == 0
             ? kCgroupRoot
             : kCgroupRoot + "/unified";
}

GuestUsage from_cgroup(const std::vector<CgroupLine>& lines) {
  GuestUsage usage;
  usage.source = "cgroup";
  if (const auto* memory = find_v1(lines, "memory")) {
    usage.memory_bytes = read_number(kCgroupRoot + "/" + memory->controllers + memory->path +
                                     "/memory.usage_in_bytes");
  } else if (const auto* v2 = find_v2(lines)) {
    usage.memory_bytes = read_number(unified_root() + v2->path + "/memory.current");
  }
  if (const auto* cpu = find_v1(lines, "cpuacct")) {
    if (auto ns =
            read_number(kCgroupRoot + "/" + cpu->controllers + cpu->path + "/cpuacct.usage")) {
      usage.cpu_seconds = static_cast<double>(*ns) / 1e9;
    }
  } else if (const auto* v2 = find_v2(lines)) {
    if (auto us = read_keyed(unified_root() + v2->path + "/cpu.stat", "usage_usec")) {
      usage.cpu_seconds = static_cast<double>(*us) / 1e6;
    }
  }
  return usage;
}

GuestUsage from_process(const std::string& proc) {
  GuestUsage usage;
  usage.source = "process";
  if (auto kib = read_keyed(proc + "/status", "VmRSS:")) usage.memory_bytes = *kib * 1024;
  std::ifstream in(proc + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which may hold spaces and parentheses.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return usage;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> rest{std::istream_iterator<std::string>(fields), {}};
  // utime and stime are fields 14 and 15 of stat(5); rest starts at field 3.
  if (rest.size() > 12) {
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    std::from_chars(rest[11].data(), rest[11].data() + rest[11].size(), utime);
    std::from_chars(rest[12].data(), rest[12].data() + rest[12].size(), stime);
    if (ticks > 0) usage.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  }
  return usage;
}

// The cgroup that counts memory: v1's memory controller, else v2's.
std::string memory_cgroup(const std::vector<CgroupLine>& lines) {
  if (const auto* memory = find_v1(lines, "memory")) return "v1:" + memory->path;
  if (const auto* v2 = find_v2(lines)) return "v2:" + v2->path;
  return "";
}

}  // namespace

GuestUsage measure_guest_usage(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const auto lines = cgroups_of(proc);
  if (lines.empty()) return {};
  const std::string mine = memory_cgroup(cgroups_of("/proc/self"));
  const std::string theirs = memory_cgroup(lines);
  if (theirs.empty() || theirs == mine) return from_process(proc);
  return from_cgroup(lines);
}

}  // namespace oxydra::runner
