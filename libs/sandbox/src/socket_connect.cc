#include "socket_connect.h"

#include <linux/vm_sockets.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

namespace {

tl::unexpected<AttemptError> attempt_error(const std::string& what, int err, bool retryable) {
  Error error = errno_error("connect " + what, err);
  error.code = std::string(degraded::kSidecarConnectionFailed);
  return tl::unexpected(AttemptError{std::move(error), retryable});
}

// Finishes a non-blocking connect(2) that may be in progress.
Attempt finish_connect(UniqueFd fd, int rc, const std::string& what, Clock::time_point deadline,
                       bool (*retryable)(int)) {
  if (rc == 0) return fd;
  if (errno != EINPROGRESS) return attempt_error(what, errno, retryable(errno));
  pollfd pfd{fd.get(), POLLOUT, 0};
  int ready = 0;
  do {
    ready = ::poll(&pfd, 1, poll_timeout_ms(deadline));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return attempt_error(what, errno, false);
  if (ready == 0) return attempt_error(what, ETIMEDOUT, true);
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
    return attempt_error(what, errno, false);
  }
  if (err != 0) return attempt_error(what, err, retryable(err));
  return fd;
}

bool unix_retryable(int err) {
  return err == ENOENT || err == ECONNREFUSED || err == EAGAIN || err == ECONNRESET;
}

bool vsock_retryable(int err) {
  return err == ECONNREFUSED || err == ETIMEDOUT || err == ECONNRESET || err == EHOSTUNREACH ||
         err == ENODEV || err == EAGAIN;
}

}  // namespace

Attempt connect_unix_once(const std::string& path, Clock::time_point deadline) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return attempt_error(path, ENAMETOOLONG, false);
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return attempt_error(path, errno, false);
  const int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  return finish_connect(std::move(fd), rc, path, deadline, unix_retryable);
}

Attempt connect_vsock_once(std::uint32_t cid, std::uint32_t port, Clock::time_point deadline) {
  const std::string what = "vsock " + std::to_string(cid) + ":" + std::to_string(port);
  UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return attempt_error(what, errno, false);
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = cid;
  addr.svm_port = port;
  const int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  return finish_connect(std::move(fd), rc, what, deadline, vsock_retryable);
}

}  // namespace oxydra::sandbox
