#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace oxydra::testlib {

using namespace std::chrono_literals;

// One line of /proc/<pid>/stat, the fields tests look at.
struct ProcInfo {
  pid_t pid = 0;
  char state = '?';
  pid_t ppid = 0;
  pid_t pgid = 0;
  pid_t sid = 0;
  std::string comm;
};

std::optional<ProcInfo> read_proc(pid_t pid);
std::vector<ProcInfo> list_processes();

// Processes (zombies included) matching `pred`.
std::vector<ProcInfo> find_processes(const std::function<bool(const ProcInfo&)>& pred);

// Polls until no process matches `pred`; returns the survivors after `timeout`
// (empty on success).
std::vector<ProcInfo> wait_until_none(const std::function<bool(const ProcInfo&)>& pred,
                                      std::chrono::milliseconds timeout = 15s);

// Resident set size of a process in bytes (VmRSS), or 0.
std::size_t rss_bytes(pid_t pid);

// User plus system CPU time a process has used so far, in seconds.
double cpu_seconds(pid_t pid);

}  // namespace oxydra::testlib
