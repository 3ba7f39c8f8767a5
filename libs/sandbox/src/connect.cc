#include "oxydra/sandbox/connect.h"

#include <algorithm>

#include "oxydra/sys/backoff.h"
#include "socket_connect.h"

namespace oxydra::sandbox {

namespace {

Attempt connect_once(const ParsedEndpoint& endpoint, Clock::time_point deadline) {
  switch (endpoint.transport) {
    case ChannelTransport::unix_socket:
    case ChannelTransport::virtio_serial:
      // virtio_serial: the VMM bridges the guest port to this host socket, so
      // it is a plain byte stream like unix.
      return connect_unix_once(endpoint.path, deadline);
    case ChannelTransport::vsock:
      return connect_vsock_once(endpoint.cid, endpoint.port, deadline);
    case ChannelTransport::firecracker_vsock: {
      auto fd = connect_unix_once(endpoint.path, deadline);
      if (!fd) return fd;
      return firecracker_handshake(std::move(*fd), endpoint.path, endpoint.port, deadline);
    }
  }
  return tl::unexpected(
      AttemptError{Error{ErrorCode::sidecar_transport_unsupported, "unknown transport"}});
}

}  // namespace

Result<sys::UniqueFd> connect_endpoint(const ParsedEndpoint& endpoint,
                                       const ConnectOptions& options) {
  const auto deadline = Clock::now() + options.deadline;
  sys::Backoff backoff(std::max(options.initial_backoff, std::chrono::milliseconds(1)),
                       options.max_backoff);
  for (int attempts = 1;; ++attempts) {
    auto attempt = connect_once(endpoint, Clock::now() + options.attempt_timeout);
    if (attempt) return std::move(*attempt);
    if (!attempt.error().retryable) return tl::unexpected(std::move(attempt.error().error));
    if (!backoff.pause_before(deadline)) {
      Error error = std::move(attempt.error().error);
      error.message += " (gave up after " + std::to_string(attempts) + " attempts)";
      return tl::unexpected(std::move(error));
    }
  }
}

}  // namespace oxydra::sandbox
