#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// One runner per user: an exclusive flock on <workspace>/<user>/runner.lock,
// held for the runner's lifetime and released by the kernel when it dies, even
// on kill -9, so a crashed run never leaves a lock behind. The file holds the
// holder's pid, for messages. It lives in the user root, which no guest sees.
class RunnerLock {
 public:
  // Error code "already_running": "user alice is already running (runner pid 123)".
  static Result<RunnerLock> acquire(const std::filesystem::path& file, const std::string& user);

  // The pid of the runner holding the lock, or nullopt when nobody does.
  static std::optional<pid_t> holder(const std::filesystem::path& file);

  // Records `pid` as the holder (after a fork, the daemon's own).
  Result<void> write_pid(pid_t pid);

  RunnerLock(RunnerLock&&) = default;
  RunnerLock& operator=(RunnerLock&&) = default;

 private:
  RunnerLock(std::filesystem::path file, sys::UniqueFd fd)
      : file_(std::move(file)), fd_(std::move(fd)) {}

  std::filesystem::path file_;
  sys::UniqueFd fd_;
};

std::filesystem::path lock_file(const std::filesystem::path& user_root);

}  // namespace oxydra::runner
