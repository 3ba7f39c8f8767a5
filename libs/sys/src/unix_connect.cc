#include "oxydra/sys/unix_connect.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "oxydra/sys/backoff.h"

namespace oxydra::sys {

namespace {

std::error_code errno_code(int err) {
  return {err, std::system_category()};
}

}  // namespace

std::error_code connect_until(int fd, const sockaddr* address, socklen_t length,
                              Clock::time_point deadline) {
  if (::connect(fd, address, length) == 0) return {};
  if (errno != EINPROGRESS && errno != EINTR) return errno_code(errno);
  if (auto waited = wait_for(fd, POLLOUT, deadline)) return waited;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno_code(errno);
  return err == 0 ? std::error_code() : errno_code(err);
}

UniqueFd connect_unix_once(const std::string& path, Clock::time_point deadline, FdMode mode,
                           std::error_code& error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    error = errno_code(path.empty() ? EINVAL : ENAMETOOLONG);
    return {};
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    error = errno_code(errno);
    return {};
  }
  error = connect_until(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr, deadline);
  if (error) return {};
  if (mode == FdMode::blocking) {
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
      error = errno_code(errno);
      return {};
    }
  }
  return fd;
}

bool connect_retryable(std::error_code error) {
  return error == std::errc::no_such_file_or_directory || error == std::errc::connection_refused ||
         error == std::errc::resource_unavailable_try_again ||
         error == std::errc::connection_reset || error == std::errc::timed_out;
}

UniqueFd connect_unix(const std::string& path, Clock::time_point deadline, FdMode mode,
                      std::error_code& error) {
  Backoff backoff(std::chrono::milliseconds(10), std::chrono::milliseconds(200));
  for (;;) {
    UniqueFd fd = connect_unix_once(path, deadline, mode, error);
    if (fd || !connect_retryable(error) || !backoff.pause_before(deadline)) return fd;
  }
}

}  // namespace oxydra::sys
