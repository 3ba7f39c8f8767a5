#include "daemon/runner_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

namespace oxydra::runner {

namespace {

std::optional<pid_t> read_pid(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return std::nullopt;
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(buffer, buffer + n, pid);
  if (ec != std::errc() || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

std::filesystem::path lock_file(const std::filesystem::path& user_root) {
  return user_root / "runner.lock";
}

Result<RunnerLock> RunnerLock::acquire(const std::filesystem::path& file, const std::string& user) {
  sys::UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return tl::unexpected(errno_error("open lock file " + file.string(), errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return tl::unexpected(errno_error("lock " + file.string(), errno));
    }
    auto pid = read_pid(fd.get());
    return fail(ErrorCode::already_running,
                "user " + user + " is already running (runner pid " +
                    (pid ? std::to_string(*pid) : std::string("unknown")) + ", lock " +
                    file.string() + ")");
  }
  RunnerLock lock(file, std::move(fd));
  if (auto written = lock.write_pid(::getpid()); !written) return tl::unexpected(written.error());
  return lock;
}

Result<void> RunnerLock::write_pid(pid_t pid) {
  const std::string text = std::to_string(pid) + "\n";
  if (::ftruncate(fd_.get(), 0) != 0 ||
      ::pwrite(fd_.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return tl::unexpected(errno_error("write lock file " + file_.string(), errno));
  }
  return {};
}

std::optional<pid_t> RunnerLock::holder(const std::filesystem::path& file) {
  sys::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return std::nullopt;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return std::nullopt;  // released on close
  if (errno != EWOULDBLOCK) return std::nullopt;
  return read_pid(fd.get()).value_or(0);
}

}  // namespace oxydra::runner
