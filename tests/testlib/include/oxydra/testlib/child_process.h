#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "oxydra/testlib/paths.h"

namespace oxydra::testlib {

using namespace std::chrono_literals;

// A child process started from argv (argv[0] is a path), with stdout and stderr
// appended to `log_path` (or inherited when empty). Killed with SIGKILL and
// reaped on destruction if still running.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool start(const std::vector<std::string>& argv, const std::string& log_path = {});
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }

  bool signal(int sig);
  // Waits for exit; the raw wait status, or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout = 30s);
  // Reads the log file (for failure messages).
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// Polls until `path` exists, or `timeout` passes.
bool wait_for_path(const std::string& path, std::chrono::milliseconds timeout = 10s);

}  // namespace oxydra::testlib
