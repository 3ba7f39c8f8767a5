#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "deadline.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

// One connection attempt's failure: `retryable` when the peer may simply not be
// there yet (absent socket, refusal, guest not listening).
struct AttemptError {
  Error error;
  bool retryable = false;
};
using Attempt = tl::expected<sys::UniqueFd, AttemptError>;

Attempt connect_unix_once(const std::string& path, Clock::time_point deadline);
Attempt connect_vsock_once(std::uint32_t cid, std::uint32_t port, Clock::time_point deadline);
// Runs the CONNECT/OK exchange on a fresh connection to Firecracker's socket.
Attempt firecracker_handshake(sys::UniqueFd fd, const std::string& path, std::uint32_t port,
                              Clock::time_point deadline);

}  // namespace oxydra::sandbox
