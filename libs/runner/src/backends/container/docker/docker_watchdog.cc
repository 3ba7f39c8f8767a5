#include "backends/container/docker/docker_watchdog.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "oxydra/sys/io.h"

namespace oxydra::runner {

namespace {

constexpr std::size_t kWatchedMax = 32;
constexpr std::size_t kIdLength = 64;

// Runs in a child forked from a process that may have threads: only system
// calls, on memory prepared before the fork.
[[noreturn]] void watchdog_main(int read_end, const sockaddr_un& address) {
  char ids[kWatchedMax][kIdLength + 1] = {};
  std::size_t next = 0, used = 0;
  char line[kIdLength + 2];
  std::size_t length = 0;
  char byte = 0;
  for (;;) {
    const ssize_t n = ::read(read_end, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (byte != '\n') {
      if (length < sizeof line - 1) line[length++] = byte;
      continue;
    }
    if (length == kIdLength) {
      std::memcpy(ids[next], line, kIdLength);
      ids[next][kIdLength] = '\0';
      next = (next + 1) % kWatchedMax;
      if (used < kWatchedMax) ++used;
    }
    length = 0;
  }
  static constexpr char kPrefix[] = "DELETE /v1.41/containers/";
  static constexpr char kSuffix[] = "?force=1 HTTP/1.0\r\nHost: docker\r\n\r\n";
  for (std::size_t i = 0; i < used; ++i) {
    char request[sizeof kPrefix + kIdLength + sizeof kSuffix];
    std::size_t at = 0;
    std::memcpy(request + at, kPrefix, sizeof kPrefix - 1);
    at += sizeof kPrefix - 1;
    std::memcpy(request + at, ids[i], kIdLength);
    at += kIdLength;
    std::memcpy(request + at, kSuffix, sizeof kSuffix - 1);
    at += sizeof kSuffix - 1;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      sys::write_all(fd, std::string_view(request, at));
      char reply[512];
      while (::read(fd, reply, sizeof reply) > 0) {
      }
    }
    ::close(fd);
  }
  ::_exit(0);
}

}  // namespace

void DockerWatchdog::watch(const std::string& id) const {
  const std::string line = id + "\n";
  sys::write_all(write_end_.get(), line);  // a watchdog gone means nothing left to tell
}

Result<DockerWatchdog> DockerWatchdog::start(const std::string& socket) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.size() >= sizeof address.sun_path) {
    return fail(ErrorCode::invalid_config, "docker socket path " + socket + " is too long");
  }
  std::memcpy(address.sun_path, socket.c_str(), socket.size() + 1);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return tl::unexpected(errno_error("pipe for the docker guests' watchdog", errno));
  }
  sys::UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return tl::unexpected(errno_error("fork the docker guests' watchdog", errno));
  if (pid == 0) {
    ::setsid();
    const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; ++fd)
      ::dup2(null_fd, fd);
    // Nothing of the runner's (its lock above all) may outlive it here.
    if (read_end.get() != 3) ::dup2(read_end.get(), 3);
    ::close_range(4, ~0U, 0);
    watchdog_main(3, address);
  }
  return DockerWatchdog(std::move(write_end));
}

}  // namespace oxydra::runner
