#include "socket_connect.h"

#include <linux/vm_sockets.h>
#include <sys/socket.h>

#include <cerrno>

#include "oxydra/sys/unix_connect.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

namespace {

tl::unexpected<AttemptError> attempt_error(const std::string& what, int err, bool retryable) {
  Error error = errno_error("connect " + what, err);
  error.code = ErrorCode::sidecar_connection_failed;
  return tl::unexpected(AttemptError{std::move(error), retryable});
}

bool vsock_retryable(int err) {
  return err == ECONNREFUSED || err == ETIMEDOUT || err == ECONNRESET || err == EHOSTUNREACH ||
         err == ENODEV || err == EAGAIN;
}

}  // namespace

Attempt connect_unix_once(const std::string& path, Clock::time_point deadline) {
  std::error_code error;
  sys::UniqueFd fd = sys::connect_unix_once(path, deadline, sys::FdMode::nonblocking, error);
  if (!fd) return attempt_error(path, error.value(), sys::connect_retryable(error));
  return fd;
}

Attempt connect_vsock_once(std::uint32_t cid, std::uint32_t port, Clock::time_point deadline) {
  const std::string what = "vsock " + std::to_string(cid) + ":" + std::to_string(port);
  sys::UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return attempt_error(what, errno, false);
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = cid;
  addr.svm_port = port;
  const auto error =
      sys::connect_until(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr, deadline);
  if (error) return attempt_error(what, error.value(), vsock_retryable(error.value()));
  return fd;
}

}  // namespace oxydra::sandbox
