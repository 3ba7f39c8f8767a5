#include "backends/micro_vm/vmm_cgroup.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

constexpr const char* kRoot = "/sys/fs/cgroup";
constexpr std::uint64_t kCpuPeriodUs = 100000;

bool unified() {
  return fs::exists(std::string(kRoot) + "/cgroup.controllers");
}

// One directory per controller on v1, the one group on v2.
std::vector<fs::path> group_dirs(const std::string& name) {
  if (unified()) return {fs::path(kRoot) / "oxydra" / name};
  std::vector<fs::path> dirs;
  for (const char* controller : {"memory", "pids", "cpu"}) {
    if (fs::exists(fs::path(kRoot) / controller / "tasks"))
      dirs.push_back(fs::path(kRoot) / controller / "oxydra" / name);
  }
  return dirs;
}

Result<void> write_file(const fs::path& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  if (!out) return tl::unexpected(errno_error("write " + value + " to " + path.string(), errno));
  return {};
}

std::vector<int> read_pids(const fs::path& procs) {
  std::vector<int> pids;
  std::ifstream in(procs);
  int pid = 0;
  while (in >> pid)
    pids.push_back(pid);
  return pids;
}

}  // namespace

Result<VmmCgroup> make_vmm_cgroup(const std::string& name, const VmmLimits& limits) {
  VmmCgroup group;
  const auto dirs = group_dirs(name);
  if (dirs.empty()) {
    return fail(ErrorCode::tier_unavailable,
                std::string("no cgroup hierarchy with memory, pids or cpu under ") + kRoot);
  }
  const std::string quota = std::to_string(static_cast<std::uint64_t>(limits.cpus * kCpuPeriodUs));
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return tl::unexpected(errno_error("mkdir " + dir.string(), ec.value()));
    Result<void> wrote;
    const std::string controller = dir.parent_path().parent_path().filename();
    if (unified()) {
      // The parent must hand the controllers down.
      for (const fs::path& parent : {fs::path(kRoot), dir.parent_path()})
        (void)write_file(parent / "cgroup.subtree_control", "+memory +pids +cpu");
      wrote = write_file(dir / "memory.max", std::to_string(limits.memory_bytes));
      if (wrote) wrote = write_file(dir / "memory.swap.max", "0");
      if (wrote) wrote = write_file(dir / "pids.max", std::to_string(limits.pids));
      if (wrote) wrote = write_file(dir / "cpu.max", quota + " " + std::to_string(kCpuPeriodUs));
    } else if (controller == "memory") {
      wrote = write_file(dir / "memory.limit_in_bytes", std::to_string(limits.memory_bytes));
    } else if (controller == "pids") {
      wrote = write_file(dir / "pids.max", std::to_string(limits.pids));
    } else {
      wrote = write_file(dir / "cpu.cfs_period_us", std::to_string(kCpuPeriodUs));
      if (wrote) wrote = write_file(dir / "cpu.cfs_quota_us", quota);
    }
    if (!wrote) return tl::unexpected(wrote.error());
    group.procs_files.push_back((dir / "cgroup.procs").string());
  }
  group.limits.memory = limits.memory_bytes;
  group.limits.pids = limits.pids;
  group.limits.cpu = limits.cpus;
  group.limits.source = std::string(unified() ? "cgroup2:" : "cgroup1:") + dirs.front().string();
  return group;
}

std::vector<int> vmm_cgroup_pids(const std::string& name) {
  const auto dirs = group_dirs(name);
  if (dirs.empty()) return {};
  return read_pids(dirs.front() / "cgroup.procs");
}

void remove_vmm_cgroup(const std::string& name) {
  for (const fs::path& dir : group_dirs(name)) {
    if (!fs::exists(dir)) continue;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto pids = read_pids(dir / "cgroup.procs");
      if (pids.empty() && ::rmdir(dir.c_str()) == 0) break;
      for (int pid : pids)
        ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace oxydra::runner
